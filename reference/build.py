"""Rebuild reference/states.csv and reference/endorsements.csv from the shared research data.

Run by a developer when ../shared/data changes: `python reference/build.py ../shared/data`.
The app never reads ../shared/data; it loads the files written here (see README.md there).
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# English names are the UN's own short names (its list of member states); the other languages have
# no such list offline (UNTERM), so their names are CLDR's common short names.
LANGS = {
    "en": "un_short_name_en",
    "fr": "cldr_fr",
    "es": "cldr_es",
    "ar": "cldr_ar",
    "zh_hans": "cldr_zh",
    "ru": "cldr_ru",
}
GROUPS = {
    "African States": "african",
    "Asia-Pacific States": "asia_pacific",
    "Eastern European States": "eastern_european",
    "Latin American and Caribbean States": "latin_american_caribbean",
    "Western European and other States": "western_european_others",
}
EU_CODE = "EUU"  # No ISO alpha-3 code exists for the EU; EUU is the World Bank's.
EU_SOURCE = "Names: Unicode CLDR territory 'EU' via PyPI babel"
NAME_SOURCE = (
    "names: English, the UN short name (un_member_names_multilingual.csv, un_short_name_en, from "
    "https://www.un.org/en/about-us/member-states); other languages, Unicode CLDR (PyPI babel 2.19.0)"
)


def build_states(data: Path) -> list[dict[str, str]]:
    names = {row["iso_alpha3"]: row for row in csv.DictReader((data / "un_member_names_multilingual.csv").open())}
    rows = []
    for row in csv.DictReader((data / "un_member_states.csv").open()):
        localised = names[row["iso_alpha3"]]
        rows.append(
            {
                "code": row["iso_alpha3"],
                "iso2": row["iso_alpha2"],
                "kind": "un_member",
                "regional_group": GROUPS[row["un_regional_group"]],
                "un_member_since": row["un_admission_date"],
                **{f"name_{lang}": localised[column] for lang, column in LANGS.items()},
                # The common English names lists are written with ("United Kingdom", "Russia").
                "other_names": "|".join(
                    dict.fromkeys(
                        name
                        for name in (localised["cldr_en"], localised["iso_name_en"])
                        if name and name != localised["un_short_name_en"]
                    )
                ),
                "source": f"{row['source']}; {NAME_SOURCE}",
            }
        )
    from babel import Locale

    rows.append(
        {
            "code": EU_CODE,
            "iso2": "EU",
            "kind": "organisation",
            "regional_group": "",
            "un_member_since": "",
            **{f"name_{lang}": Locale.parse(lang.replace("_hans", "_Hans")).territories["EU"] for lang in LANGS},
            "other_names": "",
            "source": EU_SOURCE,
        }
    )
    return rows


def month_end(year_month: str) -> str:
    import calendar

    year, month = (int(part) for part in year_month.split("-"))
    return f"{year_month}-{calendar.monthrange(year, month)[1]:02d}"


def build_endorsements(data: Path) -> list[dict[str, str]]:
    rows = list(csv.DictReader((data / "initiative_endorsements.csv").open()))
    out: list[dict[str, str]] = []

    def code(row: dict[str, str]) -> str:
        return EU_CODE if row["iso_alpha3"].startswith("(EU") else row["iso_alpha3"]

    humanitarian = [r for r in rows if r["initiative_id"] == "humanitarian_call_for_action"]
    in_2020 = {code(r): r for r in humanitarian if r["list_as_of"].startswith("October 2020")}
    for row in (r for r in humanitarian if r["list_as_of"].startswith("October 2021")):
        earliest = in_2020.get(code(row))
        if earliest:
            note = "Listed in the October 2020 list (46 States) and in the October 2021 list (50 States and the EU)."
            out.append(_row("humanitarian-call-for-action", code(row), "2020-10-31", "by", earliest["source"], note))
        else:
            note = "First listed in the October 2021 list (50 States and the EU)."
            out.append(_row("humanitarian-call-for-action", code(row), "2021-10-31", "by", row["source"], note))

    for row in (r for r in rows if r["initiative_id"] == "paris_call"):
        url = row["source"].split(" (")[0]
        note = (
            "Date first listed on the official Paris Call website (its source repository), "
            "not the date of signature; 2019-09-16 is the import of the list that existed before."
        )
        out.append(_row("paris-call", code(row), row["date"], "by", url, note))

    for row in (r for r in rows if r["initiative_id"] == "information_democracy_partnership"):
        if not row["role"].startswith("signatory"):
            continue  # The 12 initiators are lead states; their own signature dates are not confirmed.
        date, precision = (row["date"], "day") if len(row["date"]) == 10 else (month_end(row["date"]), "month")
        url = row["source"].split(" ; ")[0]
        out.append(_row("information-and-democracy", code(row), date, precision, url, row["date_type"]))
    return out


def _row(initiative: str, state: str, endorsed_on: str, precision: str, url: str, note: str) -> dict[str, str]:
    return {
        "initiative": initiative,
        "state": state,
        "endorsed_on": endorsed_on,
        "date_precision": precision,
        "source_url": url,
        "source_note": note,
    }


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data")
    write(HERE / "states.csv", build_states(source))
    write(HERE / "endorsements.csv", build_endorsements(source))
