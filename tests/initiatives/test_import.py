"""Importing historical lists of endorsements (CSV or XLSX): the preview, the commit, the command,
the admin view, and the CSV export. France's endorsement of the Paris Call is in the reference
data; nobody's endorsement of Gender at the Centre is."""

import csv
import datetime
import io
from http import HTTPStatus

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils.formats import date_format

from initiatives.admin_import import SESSION_PREFIX, export_csv, import_view
from initiatives.endorsing import record_endorsement, record_withdrawal
from initiatives.importing import ImportFileError, commit, preview, read_rows
from initiatives.models import DatePrecision, Endorsement, Initiative
from members.models import MemberState
from tests.factories import UserFactory

IMPORT_URL = "/en/admin/initiatives/endorsement/import/"
HEADER = "initiative,state,endorsed_on,source"
NOTE = "https://example.org/note-verbale-2019-42.pdf"
FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

# Good rows, a row already in the register, and one row for each kind of mistake.
MIXED = [
    f"gender-at-the-centre,FRA,2019-09-26,{NOTE}",  # line 2
    "gender-at-the-centre,Côte d’Ivoire,27/09/2019,Note verbale 2019/117",  # line 3
    f"paris-call,FRA,2019-09-16,{NOTE}",  # line 4: in the reference data
    f"gender-at-the-centre,fra,2019-10-01,{NOTE}",  # line 5: France again
    f"gender-at-the-centre,Atlantis,2019-09-26,{NOTE}",  # line 6
    f"gender-at-the-centre,DEU,2019-13-45,{NOTE}",  # line 7
    f"no-such-call,DEU,2019-09-26,{NOTE}",  # line 8
    f"gender-at-the-centre,ITA,{FUTURE},{NOTE}",  # line 9
    "gender-at-the-centre,ESP,2019-09-26,",  # line 10
    f"gender-at-the-centre,PRT,2019-01-10,{NOTE}",  # line 11: before the signing window opened
]
GOOD_AND_PRESENT = [
    f"gender-at-the-centre,FRA,2019-09-26,{NOTE}",
    "gender-at-the-centre,Côte d’Ivoire,27/09/2019,Note verbale 2019/117",
    f"paris-call,FRA,2019-09-16,{NOTE}",
]


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def outcomes(rows) -> dict[int, tuple[str, str]]:
    return {row.line: (row.outcome, row.message) for row in rows}


def count() -> int:
    return Endorsement.objects.count()


@pytest.fixture
def staff(register):
    return UserFactory(email="secretariat@example.org", is_staff=True, is_superuser=True)


# Reading the file


def test_read_rows_numbers_the_lines_as_a_spreadsheet_does():
    data = csv_bytes(f"paris-call,FRA,2019-09-16,{NOTE}", "", f"paris-call,DEU,2019-09-16,{NOTE}")
    rows = read_rows(data, "list.csv")
    assert [line for line, _values in rows] == [2, 4]
    assert rows[0][1] == {
        "initiative": "paris-call",
        "state": "FRA",
        "endorsed_on": "2019-09-16",
        "source": NOTE,
        "statement": "",
        "date_precision": "",
        "source_note": "",
    }


def test_read_rows_accepts_semicolons_a_byte_order_mark_and_loose_headers():
    data = (
        "\ufeff Initiative ;STATE;Endorsed on;Source;Statement\nparis-call;FRA;2019-09-16;Note 12;« Nous soutenons. »\n"
    )
    rows = read_rows(data.encode(), "LIST.CSV")
    assert rows == [
        (
            2,
            {
                "initiative": "paris-call",
                "state": "FRA",
                "endorsed_on": "2019-09-16",
                "source": "Note 12",
                "statement": "« Nous soutenons. »",
                "date_precision": "",
                "source_note": "",
            },
        )
    ]


def test_a_quoted_field_over_two_lines_is_one_spreadsheet_row():
    data = csv_bytes('paris-call,FRA,2019-09-16,"Note verbale\nof 16 September"', f"paris-call,DEU,2019-09-16,{NOTE}")
    assert [line for line, _values in read_rows(data, "list.csv")] == [2, 3]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (csv_bytes(), "list.txt", 'Only .csv and .xlsx files can be imported, not "list.txt".'),
        (b"initiative,state,source\nparis-call,FRA,x\n", "list.csv", 'The file has no "endorsed_on" column.'),
        (
            b"initiative,date\nparis-call,2019-09-16\n",
            "list.csv",
            "These columns are missing: state, endorsed_on, source.",
        ),
        (csv_bytes(), "list.csv", "The file has no rows under its header."),
        (b"", "list.csv", "The first line must name the columns"),
        ("initiative,state\nparis-call,Bénin\n".encode("latin-1"), "list.csv", "The file is not UTF-8 text"),
        (b"initiative,state,endorsed_on,source\n", "list.xlsx", "The file cannot be read as an XLSX workbook."),
    ],
)
def test_an_unreadable_file_is_refused_with_a_clear_message(data, filename, message):
    with pytest.raises(ImportFileError) as refused:
        read_rows(data, filename)
    assert str(refused.value).startswith(message)


def test_more_than_5000_rows_are_refused():
    data = csv_bytes(*[f"paris-call,FRA,2019-09-16,{NOTE}"] * 5001)
    with pytest.raises(ImportFileError, match="more than 5,000 rows"):
        read_rows(data, "list.csv")
    assert len(read_rows(csv_bytes(*[f"paris-call,FRA,2019-09-16,{NOTE}"] * 5000), "list.csv")) == 5000


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_date_cells_is_previewed_and_imported(staff):
    data = xlsx_bytes(
        [
            ["Initiative", "State", "Endorsed_on", "Source", "Date_precision"],
            ["gender-at-the-centre", "Brésil", datetime.date(2019, 9, 26), NOTE, "day"],
            [None, None, None, None, None],
            ["gender-at-the-centre", "阿尔及利亚", datetime.datetime(2019, 10, 2, 0, 0), "Note 5", "by"],
        ]
    )
    rows = preview(read_rows(data, "list.xlsx"))
    assert [(row.line, row.outcome, row.member_state.code, row.endorsed_on) for row in rows] == [
        (2, "create", "BRA", datetime.date(2019, 9, 26)),
        (4, "create", "DZA", datetime.date(2019, 10, 2)),
    ]
    assert commit(rows, recorded_by=staff) == 2
    algeria = Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="DZA")
    assert (algeria.endorsed_on, algeria.date_precision) == (datetime.date(2019, 10, 2), DatePrecision.NO_LATER_THAN)


# Previewing


def test_preview_shows_each_line_with_what_it_would_do_and_writes_nothing(register):
    before = count()
    rows = preview(read_rows(csv_bytes(*MIXED), "list.csv"))
    assert outcomes(rows) == {
        2: ("create", ""),
        3: ("create", ""),
        4: ("present", "already in the register since 16 September 2019"),
        5: ("error", "duplicate of line 2"),
        6: ("error", 'unknown state "Atlantis"'),
        7: ("error", '"2019-13-45" is not a day of the calendar'),  # well written, but no such day
        8: ("error", 'unknown initiative "no-such-call"'),
        9: ("error", f"the date {date_format(datetime.date.fromisoformat(FUTURE), 'DATE_FORMAT')} is in the future"),
        10: ("error", "no source: give a URL or a document reference"),
        11: ("error", "On that date the initiative was not open for endorsement."),
    }
    ivory_coast = rows[1]
    assert (ivory_coast.member_state.code, ivory_coast.endorsed_on) == ("CIV", datetime.date(2019, 9, 27))
    assert count() == before


def test_a_line_with_several_mistakes_names_them_all(register):
    [row] = preview([(2, {"initiative": "", "state": "Atlantis", "endorsed_on": "yesterday", "source": ""})])
    assert row.outcome == "error"
    assert row.message == (
        'the initiative is missing; unknown state "Atlantis"; bad date "yesterday": write YYYY-MM-DD or DD/MM/YYYY; '
        "no source: give a URL or a document reference"
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("cote d'ivoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("COTE D IVOIRE", "CIV"),
        ("civ", "CIV"),
        ("Allemagne", "DEU"),  # French
        ("algerie", "DZA"),  # French, without its accent
        ("Argelia", "DZA"),  # Spanish
        ("الجزائر", "DZA"),  # Arabic
        ("阿尔及利亚", "DZA"),  # Chinese
        ("中国", "CHN"),
        ("Китай", "CHN"),  # Russian
        ("Union européenne", "EUU"),
        ("Democratic People's Republic of Korea", "PRK"),  # the UN's English name
        ("North Korea", "PRK"),  # the names lists use as well
        ("United Kingdom", "GBR"),
        ("Russia", "RUS"),
        ("Trinidad & Tobago", "TTO"),
    ],
)
def test_states_are_found_by_code_or_by_name_in_any_of_the_six_languages(register, name, code):
    [row] = preview(
        [(2, {"initiative": "gender-at-the-centre", "state": name, "endorsed_on": "2019-09-26", "source": NOTE})]
    )
    assert (row.outcome, row.member_state.code) == ("create", code)


def test_a_month_only_date_is_stored_as_the_months_last_day(register):
    values = {"initiative": "gender-at-the-centre", "state": "FRA", "endorsed_on": "2019-10-05", "source": NOTE}
    [row] = preview([(2, {**values, "date_precision": "month"})])
    assert (row.outcome, row.endorsed_on, row.date_precision) == ("create", datetime.date(2019, 10, 31), "month")
    [row] = preview([(2, {**values, "date_precision": "roughly"})])
    assert row.message == 'unknown date precision "roughly": write day, month or by'


def test_a_draft_initiative_is_unknown(register):
    Initiative.objects.filter(slug="gender-at-the-centre").update(status=Initiative.Status.DRAFT)
    [row] = preview(
        [(2, {"initiative": "gender-at-the-centre", "state": "FRA", "endorsed_on": "2019-09-26", "source": NOTE})]
    )
    assert (row.outcome, row.message) == ("error", 'unknown initiative "gender-at-the-centre"')


def test_a_withdrawn_period_from_the_same_day_is_present_not_refused(staff):
    values = {"initiative": "gender-at-the-centre", "state": "FRA", "endorsed_on": "2019-09-26", "source": NOTE}
    assert commit(preview([(2, values)]), recorded_by=staff) == 1
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    france = MemberState.objects.get(code="FRA")
    record_withdrawal(
        initiative=initiative,
        member_state=france,
        withdrawn_on=datetime.date(2021, 3, 1),
        recorded_by=staff,
        reason="Note verbale 2021/8",
    )
    [row] = preview([(2, values)])
    assert (row.outcome, row.message) == (
        "present",
        "already in the register from 26 September 2019 until its withdrawal on 1 March 2021",
    )


# Committing


def test_commit_records_only_the_new_rows_and_a_second_import_creates_nothing(staff):
    before = count()
    rows = preview(read_rows(csv_bytes(*GOOD_AND_PRESENT), "list.csv"))
    assert commit(rows, recorded_by=staff) == 2
    assert count() == before + 2
    france = Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="FRA")
    assert (france.channel, france.recorded_by, france.source_url, france.source_note) == (
        Endorsement.Channel.RECORDED,
        staff,
        NOTE,
        "",
    )
    ivory_coast = Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="CIV")
    assert (ivory_coast.source_url, ivory_coast.source_note) == ("", "Note verbale 2019/117")

    again = preview(read_rows(csv_bytes(*GOOD_AND_PRESENT), "list.csv"))
    assert [row.outcome for row in again] == ["present", "present", "present"]
    assert commit(again, recorded_by=staff) == 0
    assert count() == before + 2


def test_a_row_refused_at_commit_time_rolls_the_whole_import_back(staff):
    before = count()
    rows = preview(read_rows(csv_bytes(*GOOD_AND_PRESENT), "list.csv"))
    # Someone records Côte d'Ivoire between the preview and the commit.
    record_endorsement(
        initiative=Initiative.objects.get(slug="gender-at-the-centre"),
        member_state=MemberState.objects.get(code="CIV"),
        endorsed_on=datetime.date(2019, 9, 28),
        recorded_by=staff,
        source_note="Note 3",
    )
    with pytest.raises(ImportFileError, match="^Line 3 was refused: This initiative was already endorsed"):
        commit(rows, recorded_by=staff)
    assert count() == before + 1
    assert not Endorsement.objects.filter(initiative__slug="gender-at-the-centre", member_state__code="FRA").exists()


# The command


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_endorsements", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_previews_each_line_and_exits_1_when_a_line_is_wrong(register, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(*MIXED))
    before = count()
    status, out, err = run(str(path))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "line 2: create — France, gender-at-the-centre, 2019-09-26"
    assert lines[1] == "line 3: create — Côte D'Ivoire, gender-at-the-centre, 2019-09-27"
    assert (
        lines[2] == "line 4: present — France, paris-call, 2019-09-16 (already in the register since 16 September 2019)"
    )
    assert lines[4] == 'line 6: error — unknown state "Atlantis"'
    assert lines[-2] == "2 to create, 1 present, 7 errors"
    assert lines[-1] == "Preview only, nothing was written: add --commit to record the endorsements."
    assert count() == before


def test_command_with_commit_records_only_the_good_lines_and_a_second_run_creates_nothing(staff, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(*MIXED))
    before = count()
    status, out, err = run(str(path), "--commit", "--recorded-by", staff.email)
    assert status == 0
    assert "7 lines in error will not be recorded." in err
    assert "2 endorsements created." in out
    assert count() == before + 2
    status, out, _err = run(str(path), "--commit", "--recorded-by", staff.email)
    assert "0 to create, 3 present, 7 errors" in out
    assert count() == before + 2


def test_command_previews_a_good_file_exits_0_then_commits_it_once(staff, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(*GOOD_AND_PRESENT))
    before = count()
    status, out, _err = run(str(path))
    assert status == 0
    assert "2 to create, 1 present, 0 errors" in out
    assert "Preview only, nothing was written" in out
    assert count() == before

    status, out, _err = run(str(path), "--commit", "--recorded-by", "SECRETARIAT@example.org")
    assert (status, out.splitlines()[-1]) == (0, "2 endorsements created.")
    assert count() == before + 2

    status, out, _err = run(str(path), "--commit", "--recorded-by", staff.email)
    assert status == 0
    assert out.splitlines()[-2:] == ["0 to create, 3 present, 0 errors", "0 endorsements created."]
    assert count() == before + 2


def test_command_needs_a_staff_recorder_to_commit(register, tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(*GOOD_AND_PRESENT))
    UserFactory(email="reader@example.org")
    with pytest.raises(CommandError, match="--commit needs --recorded-by EMAIL"):
        run(str(path), "--commit")
    with pytest.raises(CommandError, match="No user has the email address nobody@example.org"):
        run(str(path), "--commit", "--recorded-by", "nobody@example.org")
    with pytest.raises(CommandError, match="reader@example.org is not an active staff user"):
        run(str(path), "--commit", "--recorded-by", "reader@example.org")
    with pytest.raises(CommandError, match="The file has no rows under its header"):
        (tmp_path / "empty.csv").write_bytes(csv_bytes())
        run(str(tmp_path / "empty.csv"))


# The admin view


def admin_request(user, method="get", data=None, session=None):
    factory = RequestFactory()
    request = factory.post(IMPORT_URL, data or {}) if method == "post" else factory.get(IMPORT_URL)
    SessionMiddleware(lambda _request: None).process_request(request)
    if session:
        request.session.update(session)
    request.user = user
    request._messages = FallbackStorage(request)
    return request


def call_view(request):
    response = import_view(admin.site._registry[Endorsement], request)
    if hasattr(response, "render"):
        response.render()
    return response


def upload(data: bytes, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_admin_import_shows_the_upload_form(staff):
    response = call_view(admin_request(staff))
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<label class="required" for="id_file">List of endorsements</label>' in page
    assert 'aria-describedby="id_file_helptext"' in page
    assert 'enctype="multipart/form-data"' in page


def test_admin_import_needs_the_permission_to_add_endorsements(register):
    editor = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        call_view(admin_request(editor))


def test_admin_preview_shows_each_line_and_writes_nothing(staff):
    before = count()
    request = admin_request(staff, "post", {"file": upload(csv_bytes(*MIXED))})
    response = call_view(request)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<caption>What importing each line of the file would do</caption>" in page
    assert '<th scope="col">Line</th>' in page
    assert '<th scope="row">6</th>' in page
    assert "unknown state &quot;Atlantis&quot;" in page
    assert "duplicate of line 2" in page
    assert "7 lines in error" in page
    assert "Lines in error are not imported" in page
    assert "Confirm the import" in page  # the two good lines can still be imported
    assert count() == before


def test_admin_preview_then_confirm_writes_the_new_rows_once(staff):
    before = count()
    request = admin_request(staff, "post", {"file": upload(csv_bytes(*GOOD_AND_PRESENT))})
    page = call_view(request).content.decode()
    assert "2 endorsements to create" in page
    assert "1 line already in the register" in page
    assert "Confirm the import" in page
    [key] = [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]
    token = key.removeprefix(SESSION_PREFIX)
    assert f'name="token" value="{token}"' in page
    assert count() == before

    confirm = admin_request(staff, "post", {"token": token}, session=dict(request.session))
    response = call_view(confirm)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/en/admin/initiatives/endorsement/"
    assert [str(message) for message in get_messages(confirm)] == ["2 endorsements were imported."]
    assert count() == before + 2
    assert not [key for key in confirm.session.keys() if key.startswith(SESSION_PREFIX)]

    # The same token again: the preview is gone, nothing more is written.
    again = admin_request(staff, "post", {"token": token}, session=dict(confirm.session))
    response = call_view(again)
    assert (response.status_code, response["Location"]) == (HTTPStatus.FOUND, IMPORT_URL)
    assert [str(message) for message in get_messages(again)] == ["This preview has expired: upload the file again."]
    assert count() == before + 2


def test_admin_a_new_upload_drops_the_previous_preview(staff):
    first = admin_request(staff, "post", {"file": upload(csv_bytes(*GOOD_AND_PRESENT))})
    call_view(first)
    second = admin_request(staff, "post", {"file": upload(csv_bytes(*GOOD_AND_PRESENT))}, session=dict(first.session))
    call_view(second)
    assert len([key for key in second.session.keys() if key.startswith(SESSION_PREFIX)]) == 1
    assert set(second.session.keys()) != set(first.session.keys())


def test_admin_confirm_previews_again_and_writes_only_lines_still_good(staff):
    before = count()
    request = admin_request(staff, "post", {"file": upload(csv_bytes(*GOOD_AND_PRESENT))})
    call_view(request)
    [key] = [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]
    Initiative.objects.filter(slug="gender-at-the-centre").update(status=Initiative.Status.DRAFT)

    confirm = admin_request(staff, "post", {"token": key.removeprefix(SESSION_PREFIX)}, session=dict(request.session))
    response = call_view(confirm)
    assert response.status_code == HTTPStatus.FOUND
    assert count() == before  # the lines to create had become wrong: nothing of them is written


def test_admin_confirm_of_a_mixed_file_writes_only_the_good_lines(staff):
    before = count()
    request = admin_request(staff, "post", {"file": upload(csv_bytes(*MIXED))})
    call_view(request)
    [key] = [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]
    confirm = admin_request(staff, "post", {"token": key.removeprefix(SESSION_PREFIX)}, session=dict(request.session))
    assert call_view(confirm).status_code == HTTPStatus.FOUND
    assert count() == before + 2
    again = admin_request(staff, "post", {"file": upload(csv_bytes(*MIXED))})
    assert "0 endorsements to create" in call_view(again).content.decode()
    assert count() == before + 2


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("list.ods", csv_bytes(), "Choose a .csv or .xlsx file."),
        ("list.csv", b"initiative,state\nparis-call,FRA\n", "These columns are missing: endorsed_on, source."),
        ("list.csv", b"x" * (2 * 1024 * 1024 + 1), "The file is larger than 2 MB"),
    ],
)
def test_admin_upload_errors_are_shown_on_the_form(staff, name, data, error):
    request = admin_request(staff, "post", {"file": upload(data, name)})
    response = call_view(request)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert error in page
    assert 'aria-invalid="true"' in page
    assert "What importing each line of the file would do" not in page
    assert not [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]


# The export


def test_export_csv_gives_one_row_per_endorsement_with_its_state_and_source(staff):
    rows = preview(read_rows(csv_bytes(*GOOD_AND_PRESENT), "list.csv"))
    commit(rows, recorded_by=staff)
    ivory_coast = Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="CIV")
    ivory_coast.statement = "=HYPERLINK(1)"  # a spreadsheet must not run it
    ivory_coast.save(update_fields=["statement"])

    response = export_csv(Endorsement.objects.filter(initiative__slug="gender-at-the-centre").order_by("member_state"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="endorsements-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(table[0]) == [
        "reference",
        "initiative",
        "state_code",
        "state_name",
        "regional_group",
        "endorsed_on",
        "date_precision",
        "channel",
        "text_version",
        "statement",
        "source_url",
        "source_note",
        "withdrawn_on",
        "withdrawal_reason",
    ]
    assert [row["state_code"] for row in table] == ["CIV", "FRA"]
    assert table[0] == {
        "reference": ivory_coast.reference,
        "initiative": "gender-at-the-centre",
        "state_code": "CIV",
        "state_name": "Côte D'Ivoire",  # the UN's English short name
        "regional_group": "african",
        "endorsed_on": "2019-09-27",
        "date_precision": "day",
        "channel": "recorded",
        "text_version": "1",
        "statement": "'=HYPERLINK(1)",
        "source_url": "",
        "source_note": "Note verbale 2019/117",
        "withdrawn_on": "",
        "withdrawal_reason": "",
    }
    assert table[1]["source_url"] == NOTE


def test_an_export_read_back_is_all_in_the_register_and_reopens_no_withdrawn_period(staff):
    commit(preview(read_rows(csv_bytes(*GOOD_AND_PRESENT), "list.csv")), recorded_by=staff)
    gender = Initiative.objects.get(slug="gender-at-the-centre")
    record_withdrawal(
        initiative=gender,
        member_state=MemberState.objects.get(code="FRA"),
        withdrawn_on=datetime.date(2021, 3, 1),
        recorded_by=staff,
        reason="Note verbale 2021/8",
    )
    exported = export_csv(Endorsement.objects.filter(initiative=gender).order_by("member_state")).content
    rows = preview(read_rows(exported, "endorsements.csv"))
    assert [(row.member_state.code, row.outcome) for row in rows] == [("CIV", "present"), ("FRA", "present")]
    assert rows[0].source == "Note verbale 2019/117"  # a document reference: the export has no URL for it
    assert rows[1].source == NOTE

    # The same withdrawn period, read into a register that lacks it, is refused, not reopened.
    table = list(csv.reader(io.StringIO(exported.decode().removeprefix("\ufeff"))))
    table[2][table[0].index("state_code")] = "DEU"
    elsewhere = io.StringIO()
    csv.writer(elsewhere).writerows(table)
    [_ivory_coast, germany] = preview(read_rows(elsewhere.getvalue().encode(), "endorsements.csv"))
    assert germany.outcome == "error"
    assert germany.message.startswith("withdrawn on 2021-03-01: an import records endorsements in force")
