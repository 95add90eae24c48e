"""Handlers of users: access granted and revoked, with its scope."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.base import require
from registry.context import CommandContext
from registry.errors import AccessKept
from registry.handlers.table import handles
from registry.organizations import Municipality, Organization
from registry.users import User, all_users, user_id_for_token_hash
from registry.values import Role


@handles(c.AddUser)
def add_user(ctx: CommandContext, cmd: c.AddUser) -> Aggregate:
    organization_id, municipality_id = cmd.organization_id, cmd.municipality_id
    if cmd.role == c.UserRole.CURATOR:
        require(
            organization_id is not None,
            rule="scope_required",
            field="organization_id",
            message="Для куратора нужно указать его организацию",
        )
        assert organization_id is not None  # the rule above
        organization = ctx.get(Organization, organization_id, field="organization_id", entity="organization")
        require(
            municipality_id in (None, organization.municipality_id),
            rule="scope_mismatch",
            field="municipality_id",
            message="Организация куратора относится к другому муниципалитету",
        )
        municipality_id = organization.municipality_id
    elif cmd.role == c.UserRole.MUNICIPAL:
        require(
            municipality_id is not None,
            rule="scope_required",
            field="municipality_id",
            message="Для муниципального координатора нужно указать его муниципалитет",
        )
        require(
            organization_id is None,
            rule="scope_not_applicable",
            field="organization_id",
            message="Муниципальный координатор не привязывается к одной организации",
        )
        assert municipality_id is not None  # the rule above
        ctx.get(Municipality, municipality_id, field="municipality_id", entity="municipality")
    else:
        require(
            organization_id is None and municipality_id is None,
            rule="scope_not_applicable",
            field="organization_id" if organization_id is not None else "municipality_id",
            message="Администратор и аудитор работают со всем регионом: организация и муниципалитет не указываются",
        )
    require(
        user_id_for_token_hash(cmd.token_sha256) not in ctx.app.repository,
        rule="token_unique",
        field="token_sha256",
        message="Такой токен уже выдан",
    )
    user = User(
        name=cmd.name,
        role=cmd.role.value,
        organization_id=organization_id,
        municipality_id=municipality_id,
        token_sha256=cmd.token_sha256,
    )
    ctx.add(user)
    return user


@handles(c.RevokeUser)
def revoke_user(ctx: CommandContext, cmd: c.RevokeUser) -> Aggregate:
    user = ctx.get(User, cmd.user_id, field="user_id", entity="user")
    if user.active and str(user.id) == ctx.actor.user_id:
        raise AccessKept("not_self", "Нельзя отозвать собственный доступ: это делает другой администратор")
    if user.active and user.role == c.UserRole.ADMIN.value:
        others = [u for u in all_users(ctx.app) if u.active and u.role == user.role and u.id != user.id]
        if not others:
            raise AccessKept(
                "last_admin",
                "Это последний действующий администратор: сначала выдайте доступ другому администратору",
            )
    user.revoke(cmd.reason)
    return user


@handles(c.SetUserPassword)
def set_user_password(ctx: CommandContext, cmd: c.SetUserPassword) -> Aggregate:
    """An admin sets anyone's password (a reset); anyone else only their own."""
    own = ctx.actor.user_id == str(cmd.user_id)
    require(
        own or ctx.actor.role == Role.ADMIN,
        rule="own_password_only",
        field="user_id",
        message="Сменить можно только свой пароль; сбросить чужой может администратор",
    )
    user = ctx.get(User, cmd.user_id, field="user_id", entity="user")
    user.set_password(reset=not own)
    return user
