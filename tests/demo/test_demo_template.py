"""`safeguard demo` keeps the empty migrated database as a template and copies it for the next
fresh demo on the same code, instead of migrating again; a template for other code is never used."""

from __future__ import annotations

import io
import os
import sqlite3

from django.core.management import call_command

from safeguard.demo.management.commands import demo

MIGRATE = ["migrate", "--noinput", "-v0"]


def _schema(path) -> tuple[list, list, list]:
    db = sqlite3.connect(path)
    try:
        tables = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        migrations = db.execute("SELECT app, name FROM django_migrations ORDER BY app, name").fetchall()
        groups = db.execute("SELECT name FROM auth_group ORDER BY name").fetchall()
    finally:
        db.close()
    return tables, migrations, groups


def _command() -> demo.Command:
    return demo.Command(stdout=io.StringIO())


def test_the_second_fresh_demo_copies_the_first_ones_migrated_database(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "_schema_fingerprint", lambda: "code-a")
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{first}")
    command = _command()
    command._create_database(first, MIGRATE, env)
    template = tmp_path / "demo-template-code-a.sqlite3"
    assert template.exists()
    assert "a copy of the empty database" not in command.stdout.getvalue()
    migrated = _schema(first)
    assert len(migrated[1]) > 20 and migrated[2]  # every app's migrations; the role groups

    def no_migrating(*args, **kwargs):
        raise AssertionError("migrated again although the template fits")

    monkeypatch.setattr(demo.Command, "_run", no_migrating)
    command = _command()
    command._create_database(second, MIGRATE, dict(env, DATABASE_URL=f"sqlite:///{second}"))
    assert "a copy of the empty database migrated by an earlier demo" in command.stdout.getvalue()
    assert _schema(second) == migrated


def _marking_migrate(ran: list):
    """Stands in for the migrate step where only the template's handling is under test: records the
    call and leaves a marker table to recognise the copy by."""

    def migrate(self, command, env, *, capture):
        ran.append(command)
        db = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"))
        db.execute("CREATE TABLE marker (x)")
        db.commit()
        db.close()
        return ""

    return migrate


def test_a_template_for_other_code_is_not_used_and_is_replaced(tmp_path, monkeypatch):
    stale = tmp_path / "demo-template-code-a.sqlite3"
    sqlite3.connect(stale).close()
    monkeypatch.setattr(demo, "_schema_fingerprint", lambda: "code-b")
    ran = []

    monkeypatch.setattr(demo.Command, "_run", _marking_migrate(ran))
    database = tmp_path / "demo.sqlite3"
    _command()._create_database(database, MIGRATE, {"DATABASE_URL": f"sqlite:///{database}"})
    assert ran == [MIGRATE]
    assert not stale.exists()
    fresh = sqlite3.connect(tmp_path / "demo-template-code-b.sqlite3")
    assert fresh.execute("SELECT name FROM sqlite_master").fetchall() == [("marker",)]
    fresh.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-template-code-b.sqlite3", "demo.sqlite3"]


def test_the_fingerprint_is_stable_and_names_a_file():
    first = demo._schema_fingerprint()
    assert first == demo._schema_fingerprint()
    assert len(first) == 16 and int(first, 16) >= 0


def test_prepare_only_makes_the_template_for_an_installer(tmp_path, monkeypatch, settings):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(demo, "_schema_fingerprint", lambda: "code-c")
    ran = []

    monkeypatch.setattr(demo.Command, "_run", _marking_migrate(ran))
    for _ in range(2):  # the second finds it ready
        out = io.StringIO()
        call_command("demo", "--prepare", stdout=out)
        assert "The demo's empty database is ready" in out.getvalue()
    assert ran == [MIGRATE]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-template-code-c.sqlite3"]
