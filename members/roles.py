"""Who may give whom which role: the secretariat's separation of duties.

Only a superuser grants or removes superuser status, individual permissions, or any group but
"Secretariat editors"; a secretariat admin may add users to that group or remove them from it,
never change their own roles, and never touch the account of a superuser or of another admin.
Staff never hold an accreditation to act for a state.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from members.grants import EDITORS
from members.models import Accreditation, User


class RoleChangeRefused(Exception):
    """The change of roles breaks the separation of duties; the message says which rule."""


def assignable_groups(actor: User) -> QuerySet[Group]:
    """The groups `actor` may add users to or remove them from."""
    if actor.is_superuser:
        return Group.objects.all()
    if actor.has_perm("members.change_user"):
        return Group.objects.filter(name=EDITORS)
    return Group.objects.none()


def may_manage(actor: User, user: User) -> bool:
    """Whether `actor` may change `user`'s account at all (its name, roles, active status)."""
    if actor.is_superuser:
        return True
    if user.pk == actor.pk or user.is_superuser:
        return False
    allowed = set(assignable_groups(actor).values_list("pk", flat=True))
    return set(user.groups.values_list("pk", flat=True)) <= allowed


def check_role_change(
    *,
    actor: User,
    user: User,
    is_staff: bool,
    is_superuser: bool,
    groups: Iterable[Group],
    permissions: Iterable[Permission],
) -> None:
    """Refuse, with the rule it breaks, a change of `user`'s roles to these by `actor`.

    `user` is the account as stored, before the change; a new account has no pk yet.
    """
    new_groups = {group.pk for group in groups}
    new_permissions = {permission.pk for permission in permissions}
    old_groups = set(user.groups.values_list("pk", flat=True)) if user.pk else set()
    old_permissions = set(user.user_permissions.values_list("pk", flat=True)) if user.pk else set()
    if is_staff and user.pk and Accreditation.objects.current().filter(user=user).exists():
        raise RoleChangeRefused(
            _("This user holds an accreditation to act for a state; staff cannot. End the accreditation first.")
        )
    if actor.is_superuser:
        return
    if user.pk and not may_manage(actor, user):
        raise RoleChangeRefused(
            _("Only a superuser may change your own account, a superuser's or a secretariat admin's.")
        )
    if is_superuser != (user.is_superuser if user.pk else False):
        raise RoleChangeRefused(_("Only a superuser may grant or remove superuser status."))
    if new_permissions != old_permissions:
        raise RoleChangeRefused(_("Only a superuser may grant or remove individual permissions."))
    allowed = set(assignable_groups(actor).values_list("pk", flat=True))
    if (new_groups ^ old_groups) - allowed:
        raise RoleChangeRefused(
            _("You may add users to Secretariat editors or remove them from it; other roles are a superuser's.")
        )
