"""Channel settings made from chat: stored on SQLite and PostgreSQL, layered over config.toml, checked by
the same rules as `check-config`, followed by every worker's scheduler, and shown by `check-config`."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.admin_commands import Caller, ChannelAdmin
from bot.channel_settings import ChannelPlan, SettingsFollower, layer
from bot.command_registry import REGISTRY, Group, parse_text
from bot.config import ChannelConfig, ChannelDefaults, ConfigError, Settings, load_settings
from briefings.store import ChannelSetting, Store

ROOT = Path(__file__).resolve().parents[1]
CONFIGURED = ChannelConfig("slack", "C0CONF", ("nato",), schedule="30 7 * * 1-5", timezone="Europe/Brussels",
                           language="fr", given=("topics", "schedule", "timezone", "language"))
ADMIN = Caller("slack", "C0NEW", "U1", "ana", allowed=True)


def _admin(settings: Settings, store: Store) -> ChannelAdmin:
    def preview(channel: ChannelConfig, now: datetime) -> list[dict]:
        return [{"text": f"would brief {','.join(channel.topics)}", "blocks": []}]

    return ChannelAdmin(settings, store, preview)


def _set(store: Store, setting: ChannelSetting, who: str, what: dict):
    return store.change_channel_setting(setting.platform, setting.channel, lambda _stored: (setting, what), who)[1]


def test_a_setting_and_its_change_are_stored_together_and_survive_reopening(store: Store) -> None:
    setting = ChannelSetting("discord", "42", topics=("nato",), schedule="0 9 * * *", timezone="Europe/Paris")
    first = _set(store, setting, "ana (1)", {"action": "subscribe", "topic": "nato"})
    second = _set(store, ChannelSetting("discord", "42", topics=()), "bob (2)", {"action": "unsubscribe"})
    assert second.id > first.id and store.last_setting_change() == second.id
    assert [c.what["action"] for c in store.setting_changes(after=0)] == ["subscribe", "unsubscribe"]
    assert [c.id for c in store.setting_changes(after=first.id)] == [second.id]
    reopened = Store(store.engine.url.render_as_string(hide_password=False))
    try:
        (stored,) = reopened.channel_settings()
        assert (stored.key, stored.topics, stored.schedule, stored.updated_by) == ("discord:42", (), None, "bob (2)")
        assert reopened.setting_change(first.id).who == "ana (1)"
        assert reopened.setting_change(first.id).what == {"action": "subscribe", "topic": "nato"}
    finally:
        reopened.close()


def test_a_change_that_refuses_leaves_nothing_behind(store: Store) -> None:
    def refuse(_stored: ChannelSetting | None):
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.change_channel_setting("slack", "C1", refuse, "eve (U9)")
    assert store.channel_settings() == [] and store.last_setting_change() == 0


def test_two_workers_changing_one_channel_at_once_lose_neither_change(store: Store) -> None:
    """Each change reads the row it replaces while holding it: two admins adding a topic to one channel
    at the same moment, through two workers' connections, end with both topics."""
    other = Store(store.engine.url.render_as_string(hide_password=False))
    inside = threading.Barrier(2, timeout=5)

    def add(its_store: Store, topic: str) -> None:
        def change(stored: ChannelSetting | None):
            topics = stored.topics if stored is not None else ()
            with contextlib.suppress(threading.BrokenBarrierError):
                inside.wait(timeout=0.5)  # both read together when the database lets them (it must not)
            return ChannelSetting("slack", "C1", topics=(*topics, topic)), {"action": "subscribe", "topic": topic}

        its_store.change_channel_setting("slack", "C1", change, topic)

    threads = [threading.Thread(target=add, args=(s, t)) for s, t in ((store, "nato"), (other, "arctic"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    (stored,) = store.channel_settings()
    assert sorted(stored.topics) == ["arctic", "nato"]
    other.close()


def test_each_value_comes_from_the_highest_layer_that_sets_it() -> None:
    settings = Settings(path=None, channels=(CONFIGURED,),
                        defaults=ChannelDefaults(timezone="Europe/Paris", given=("timezone",)))
    configured = layer(settings, "slack", "C0CONF", ChannelSetting("slack", "C0CONF", schedule="0 6 * * *"))
    assert configured.channel.schedule == "0 6 * * *" and configured.channel.topics == ("nato",)
    assert configured.layers == {"topics": "config", "schedule": "chat", "timezone": "config", "language": "config"}
    fresh = layer(settings, "slack", "C0NEW", ChannelSetting("slack", "C0NEW", topics=("arctic",)))
    assert (fresh.channel.timezone, fresh.channel.schedule) == ("Europe/Paris", "0 8 * * *")
    assert fresh.layers == {"topics": "chat", "schedule": "built_in", "timezone": "defaults", "language": "built_in"}
    assert not layer(settings, "slack", "C0NONE", None).active


@pytest.mark.parametrize(("text", "path", "args"), [
    ('subscribe ukraine-aid "0 8 * * *" Europe/Paris fr', "briefbot subscribe",
     {"topic": "ukraine-aid", "schedule": "0 8 * * *", "timezone": "Europe/Paris", "language": "fr"}),
    ("subscribe nato “30 7 * * 1-5”", "briefbot subscribe",  # the quotes a Slack client types
     {"topic": "nato", "schedule": "30 7 * * 1-5", "timezone": None, "language": None}),
    ("subscribe nato 30 7 * * mon-fri Europe/Paris", "briefbot subscribe",  # five fields typed bare are one schedule
     {"topic": "nato", "schedule": "30 7 * * mon-fri", "timezone": "Europe/Paris", "language": None}),
    ("subscribe nato 8 30 Europe/Paris", "briefbot subscribe",  # fewer than five are not
     {"topic": "nato", "schedule": "8", "timezone": "30", "language": "Europe/Paris"}),
    ("subscribe arctic timezone:Europe/Oslo", "briefbot subscribe",
     {"topic": "arctic", "schedule": None, "timezone": "Europe/Oslo", "language": None}),
    ("unsubscribe nato", "briefbot unsubscribe", {"topic": "nato"}),
    ("settings", "briefbot settings", {}),
])
def test_slack_text_is_read_against_the_registry(text: str, path: str, args: dict) -> None:
    invocation = parse_text("/briefbot", text)
    assert (invocation.path, invocation.args, invocation.public) == (path, args, False)


def test_a_bad_value_gets_check_configs_own_message_with_a_suggestion(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
    admin = _admin(Settings(path=None), store)
    bad_zone = admin.run("subscribe", {"topic": "nato", "timezone": "Europe/Pariss"}, ADMIN, "en")
    bad_cron = admin.run("subscribe", {"topic": "nato", "schedule": "8:30"}, ADMIN, "fr")
    never = admin.run("subscribe", {"topic": "nato", "schedule": "0 8 31 2 *"}, ADMIN, "en")
    unknown = admin.run("subscribe", {"topic": "cricket"}, ADMIN, "en")
    assert not any(r.ok for r in (bad_zone, bad_cron, never, unknown))
    assert bad_zone.title == ("Time zone refused: unknown time zone 'Europe/Pariss' (use an IANA name such as "
                              "'Europe/Paris'); did you mean 'Europe/Paris'?")
    assert bad_cron.title.startswith("Horaire refusé : not a crontab expression")
    assert "for 8:30 every day write '30 8 * * *'" in bad_cron.title
    assert "never fires" in never.title
    assert "cricket" in unknown.title and "ukraine-aid" in unknown.lines[0]
    assert store.channel_settings() == [] and store.last_setting_change() == 0  # nothing stored
    path = tmp_path / "config.toml"
    path.write_text('[[channels]]\nplatform = "slack"\nchannel = "C1"\ntopics = ["nato"]\n'
                    'timezone = "Europe/Pariss"\nschedule = "8:30"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    reasons = {p.key: p.reason for p in caught.value.problems}
    assert f"Time zone refused: {reasons['channels[0].timezone']}" == bad_zone.title
    assert "for 8:30 every day write '30 8 * * *'" in reasons["channels[0].schedule"]
    store.close()


def test_subscribe_unsubscribe_mute_and_resume_layer_over_the_config(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
    settings = Settings(path=None, channels=(CONFIGURED,))
    admin = _admin(settings, store)
    caller = Caller("slack", "C0CONF", "U1", "ana", allowed=True)
    # Quotes around a schedule (a Slack habit, or the README copied into Discord's field) are not part of it.
    reply = admin.run("subscribe", {"topic": "arctic", "schedule": '"0 6 * * *"'}, caller, "fr")
    assert reply.ok and reply.title == "Ce salon reçoit désormais arctic"
    assert "Thèmes : nato, arctic — réglé depuis le chat" in reply.lines
    assert "Fuseau horaire : Europe/Brussels — config.toml" in reply.lines
    assert store.setting_change(reply.change.id).what == {
        "action": "subscribe", "topic": "arctic", "schedule": "0 6 * * *", "timezone": "Europe/Brussels",
        "language": "fr"}
    assert admin.run("unsubscribe", {"topic": "cricket"}, caller, "en").title == (
        "This channel does not receive “cricket”; it receives: nato, arctic.")
    admin.run("unsubscribe", {"topic": "nato"}, caller, "en")
    admin.run("mute", {}, caller, "en")
    plan = ChannelPlan(settings, store)
    assert plan.channels() == ()  # muted: no brief job
    shown = admin.run("settings", {}, caller, "en").lines
    assert "Topics: arctic — set from chat" in shown and "Next brief: none (no topic, or muted)." in shown
    admin.run("resume", {}, caller, "en")
    plan = ChannelPlan(settings, store)
    (channel,) = plan.channels()
    assert (channel.topics, channel.schedule, channel.timezone) == (("arctic",), "0 6 * * *", "Europe/Brussels")
    preview = admin.run("preview", {}, caller, "en")
    assert preview.messages == [{"text": "would brief arctic", "blocks": []}]
    admin.run("unsubscribe", {}, caller, "en")
    assert ChannelPlan(settings, store).channels() == ()  # a config channel unsubscribed stays so
    store.close()


def test_every_subcommand_of_the_admin_group_is_handled_with_each_option(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
    admin = _admin(Settings(path=None), store)
    (group,) = [e for e in REGISTRY if isinstance(e, Group) and e.admin]
    for command in group.commands:
        args = {o.name: "x" for o in command.options}
        for given in ({}, args):
            reply = admin.run(command.name, given, ADMIN, "en")
            assert not reply.title.startswith("Unknown command"), (command.name, given)
    assert admin.run("subscribe", {"colour": "x"}, ADMIN, "en").title.startswith("Unknown command")
    store.close()


def test_a_restart_does_not_catch_up_a_slot_from_before_the_channel_was_set_up(tmp_path: Path) -> None:
    """Subscribed at 10:00 for 08:00: the next restart does not post the 08:00 brief it never had;
    a config.toml channel is caught up as before, and a slot after the change is caught up too."""
    store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    earlier = now - timedelta(hours=2)
    configured = ChannelConfig("slack", "C0CONF", ("nato",), schedule=f"{earlier.minute} {earlier.hour} * * *")
    settings = Settings(path=None, channels=(configured,))
    admin = _admin(settings, store)
    assert admin.run("subscribe", {"topic": "nato", "schedule": configured.schedule}, ADMIN, "en").ok
    plan = ChannelPlan(settings, store)
    assert [(c.key, fire) for c, fire in plan.missed(now)] == [("slack:C0CONF", earlier)]
    later = now + timedelta(hours=1)
    assert [c.key for c, _ in plan.missed(later + timedelta(days=1))] == ["slack:C0CONF", "slack:C0NEW"]
    store.close()


def test_a_caller_without_the_right_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
    admin = _admin(Settings(path=None), store)
    for platform in ("discord", "slack"):
        stranger = Caller(platform, "C0NEW", "U9", "eve", allowed=False)
        reply = admin.run("subscribe", {"topic": "nato"}, stranger, "en")
        assert not reply.ok and reply.change is None
    assert "Manage Server" in admin.run("mute", {}, Caller("discord", "1", "2", "eve", False), "en").title
    assert "workspace admins" in admin.run("preview", {}, Caller("slack", "C1", "U2", "eve", False), "en").title
    assert store.last_setting_change() == 0
    store.close()


async def test_every_worker_re_plans_from_the_store(store: Store) -> None:
    """Two workers on one database: a change taken by one is planned by the other's scheduler at its
    next look, and each announces it (the outbox posts the line once; here the lines are collected)."""
    url = store.engine.url.render_as_string(hide_password=False)
    other_store = Store(url)
    settings = Settings(path=None)
    announced: list[tuple[str, int]] = []

    async def job(channel: ChannelConfig, fire: datetime) -> None:
        raise AssertionError("no brief is due in this test")

    def worker(name: str, its_store: Store) -> tuple[SettingsFollower, AsyncIOScheduler]:
        async def announce(change) -> None:
            announced.append((name, change.id))

        follower = SettingsFollower(ChannelPlan(settings, its_store), job, announce)
        follower.scheduler = AsyncIOScheduler(timezone=UTC)
        follower.start_briefs()  # each worker here runs brief jobs (a follower of the leader has none to re-plan)
        return follower, follower.scheduler

    first, first_jobs = worker("a", store)
    second, second_jobs = worker("b", other_store)
    admin = _admin(settings, store)
    reply = admin.run("subscribe", {"topic": "nato", "schedule": "15 6 * * *", "timezone": "Asia/Tokyo"}, ADMIN, "en")
    assert reply.ok
    assert second_jobs.get_job("brief:slack:C0NEW") is None
    assert [c.id for c in await second.follow()] == [reply.change.id]
    job_b = second_jobs.get_job("brief:slack:C0NEW")
    assert "hour='6', minute='15'" in str(job_b.trigger) and str(job_b.trigger.timezone) == "Asia/Tokyo"
    assert await second.follow() == []  # nothing new: one cheap look, no re-plan
    await first.follow()
    assert first_jobs.get_job("brief:slack:C0NEW") is not None
    assert sorted(announced) == [("a", reply.change.id), ("b", reply.change.id)]
    admin.run("unsubscribe", {}, ADMIN, "en")
    await second.follow()
    assert second_jobs.get_job("brief:slack:C0NEW") is None
    other_store.close()


def test_check_config_names_each_values_layer(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    store = Store(f"sqlite:///{db}")
    _set(store, ChannelSetting("slack", "C0123", schedule="0 6 * * *"), "ana (U1)", {"action": "subscribe"})
    _set(store, ChannelSetting("discord", "77", topics=("arctic",)), "bob (2)", {"action": "subscribe"})
    store.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{db}"\n[defaults]\ntimezone = "Europe/Paris"\n'
                      '[[channels]]\nplatform = "slack"\nchannel = "C0123"\ntopics = ["nato"]\nlanguage = "fr"\n',
                      encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    out = result.stdout
    assert "slack:C0123: topics nato (config.toml), schedule 0 6 * * * (set from chat), timezone Europe/Paris " \
           "(config.toml [defaults]), language fr (config.toml), last changed from chat by ana (U1)" in out, out
    assert "discord:77: topics arctic (set from chat), schedule 0 8 * * * (built-in default), timezone " \
           "Europe/Paris (config.toml [defaults])" in out, out


def test_check_config_says_when_the_chat_settings_cannot_be_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nurl = "postgresql+psycopg://briefbot:hunter2@127.0.0.1:1/briefs"\n'
                      '[[channels]]\nplatform = "slack"\nchannel = "C0123"\ntopics = ["nato"]\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "check-config", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert "slack:C0123: topics nato (config.toml), schedule 0 8 * * * (built-in default)" in result.stdout
    assert "note: settings made from chat not read, the database cannot be used:" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr and "Traceback" not in result.stderr


async def test_only_the_worker_running_the_brief_jobs_plans_them(tmp_path: Path) -> None:
    """A worker that does not lead keeps its plan current but holds no brief job; when it takes the
    lead it plans every channel, chat-made ones included, and drops them all when it loses it."""
    store = Store(f"sqlite:///{tmp_path / 'bot.db'}")
    settings = Settings(path=None, channels=(CONFIGURED,))

    async def job(channel: ChannelConfig, fire: datetime) -> None:
        raise AssertionError("no brief is due in this test")

    async def announce(change) -> None:
        return None

    follower = SettingsFollower(ChannelPlan(settings, store), job, announce)
    follower.scheduler = jobs = AsyncIOScheduler(timezone=UTC)
    assert _admin(settings, store).run("subscribe", {"topic": "arctic"}, ADMIN, "en").ok
    await follower.follow()
    assert [c.key for c in follower.plan.channels()] == ["slack:C0CONF", "slack:C0NEW"]
    assert jobs.get_jobs() == []
    follower.start_briefs()
    assert sorted(j.id for j in jobs.get_jobs()) == ["brief:slack:C0CONF", "brief:slack:C0NEW"]
    follower.stop_briefs()
    assert jobs.get_jobs() == []
    store.close()
