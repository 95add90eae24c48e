"""The composition root: every entrypoint builds its registry here, wired the same way.

A command's way (README, "Architecture"): the edge (API route, CLI command, import, demo,
restore) parses and authorizes, then `Registry.execute` / a batch decides and hands its events to
`Registry.save_events`, the unit of work. The store's recorder (ops/unit_of_work.py) inserts the
events and, in the same transaction, the steps wired here:

1. the key table (`ops.personal_keys`): new people's keys stored, erased people's keys destroyed;
2. the transparency log (`projections.transparency.store`): the leaves, nodes and head of the
   new positions, so the tree covers the whole log after every commit.

After the commit, the registry's after-commit subscribers, registered here once:

* ``views``: the read models catch up — for every command-line entrypoint (`views=True`, set by
  `ops.runtime.registry_from_settings`); the API subscribes its own projector under the same
  name, which also tells its public answers' cache the new position (api/app.py).

Other processes' erasures reach this one's key cache through the erasure counter the key table
keeps (`PersonalKeys.refresh`, called by the API before each request).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from ops.storage import StoreLocation, ensure_schema, eventsourcing_env, parse_database_url
from registry.application import Registry


def open_registry(
    database_url: str,
    schema: str | None = None,
    clock: Callable[[], date] = date.today,
    *,
    cipher_key: str | None = None,
    views: bool = False,
) -> Registry:
    """The registry on the store the URL names, tables created, reference lists seeded."""
    registry = registry_on(parse_database_url(database_url, schema), clock, cipher_key=cipher_key, views=views)
    registry.seed_reference_lists()
    return registry


def registry_on(
    location: StoreLocation,
    clock: Callable[[], date] = date.today,
    *,
    cipher_key: str | None = None,
    views: bool = False,
) -> Registry:
    """The registry on a store with its key table and its unit of work wired; nothing seeded.

    `views=True` (every command-line entrypoint: `ops.runtime.registry_from_settings`) also
    subscribes the views' catch-up after each commit. Without it the views are left to their own
    follower: the API (its own projector, api/app.py), `reestr project`, a benchmark that times
    the catch-up apart, tests of the projector."""
    from ops.personal_keys import personal_keys_for  # it builds on ops.storage

    ensure_schema(location)
    registry = Registry(env=eventsourcing_env(location, cipher_key), clock=clock, keys=personal_keys_for(location))
    try:
        compose(registry, views=views)
    except BaseException:
        registry.close()
        raise
    return registry


def compose(registry: Registry, *, views: bool = True) -> Registry:
    """Wire the unit of work's transaction steps and the after-commit subscribers (once)."""
    from projections.transparency.store import TransparencyLog

    steps = getattr(registry.recorder, "unit_steps", None)
    if steps is not None and not steps.steps:
        write_keys = getattr(registry.keys, "write_changes", None)
        if write_keys is not None:
            steps.steps.append(write_keys)
        steps.steps.append(TreeStep(TransparencyLog(registry)))
    if views:
        registry.after_commit.subscribe("views", ViewsCatchUp(registry))
    return registry


class TreeStep:
    """The transparency log's step in the events' transaction: append the new positions' leaves."""

    def __init__(self, log: Any) -> None:
        self.log = log

    def __call__(self, tx: Any, records: Sequence[Any], unit: Any) -> None:
        if records.positions:
            self.log.append_hashes(tx.named(self.log.names), records.leaf_hashes())


class ViewsCatchUp:
    """After a commit: the views beside the events catch up (opened on the first commit)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.projector: Any = None

    def __call__(self, recordings: Sequence[Any]) -> None:
        if self.projector is None:
            from projections.projector import Projector
            from projections.store import open_view_store

            self.projector = Projector(self.registry, open_view_store(self.registry))
        self.projector.catch_up()


def views_position(registry: Registry) -> int | None:
    """The position the views reached by the after-commit catch-up (None: not caught up here)."""
    subscriber = registry.after_commit.get("views")
    projector = getattr(subscriber, "projector", None)
    return None if projector is None else int(projector.position)


def web_app(registry: Registry, settings: Any) -> Any:
    """The HTTP application of one server process, wired from the settings (staff sessions, mail)."""
    from api.app import create_app
    from ops.mail import reminder_mail_from
    from ops.runtime import staff_config_of

    app = create_app(registry, staff=staff_config_of(settings))
    app.state.reminder_mail = reminder_mail_from(settings)
    return app
