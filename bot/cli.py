"""`python -m bot …` (also `briefbot …`): the command line over the same functions the bot runs.

Each sub-command is a small function taking parsed arguments and returning an exit code. Errors a
user can fix (a bad config value, a broken feed) are printed as one clear line each, never as a
traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

DEFAULT_CONFIG = Path("config.toml")


def _settings(args: argparse.Namespace) -> Settings:
    path = args.config
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    return load_settings(path)


def _pipeline(settings: Settings):
    from bot.wiring import pipeline_for
    from briefings.store import Store

    return pipeline_for(settings, Store(settings.storage_url))


def cmd_poll(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.feeds:
        print("no feeds configured: add [[feeds]] tables with name and url to the config", file=sys.stderr)
        return 2
    from bot.progress import absorb_progress
    from bot.wiring import feed_specs

    pipeline = _pipeline(settings)
    if args.shared:
        from bot.leader import worker_name
        from bot.wiring import poll_shared

        reports = asyncio.run(poll_shared(pipeline, settings, worker_name()))
    else:
        pipeline.progress = absorb_progress()
        reports = [asyncio.run(pipeline.poll(feed_specs(settings), force=args.force))]
    if settings.retention_days:
        pipeline.prune(timedelta(days=settings.retention_days))
    for report in reports:
        print(report.summary(), file=sys.stderr)
    if not reports:
        print("no feed was due: other workers polled them within their interval", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from briefings.export import export_json

    stories = _pipeline(_settings(args)).stories()
    json.dump(export_json(stories), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    """The pledge ledger over every stored story: printed, and written as CSV and as a chart on request."""
    from bot.commands import actor_code
    from briefings.ledger import currencies, ledger_entries, write_csv
    from briefings.render.chart import ledger_chart
    from briefings.render.ledger import ledger_lines, total_lines

    pipeline = _pipeline(_settings(args))
    pipeline.ensure_views()
    codes = {side: pipeline.store.actor_codes(side) for side in ("donor", "recipient")}
    wanted = {}
    for side in ("donor", "recipient"):
        name = getattr(args, side)
        if name:
            wanted[side] = actor_code(name, codes["donor"] | codes["recipient"])
            if wanted[side] is None:
                print(f"no {side} called {name!r} in the stories; donors: {', '.join(sorted(codes['donor']))}",
                      file=sys.stderr)
                return 2
    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        print(f"--since {args.since!r} is not a date such as 2026-02-12", file=sys.stderr)
        return 2
    entries = ledger_entries(pipeline.stories(), donor=wanted.get("donor"), recipient=wanted.get("recipient"),
                             since=since)
    for group in ledger_lines(entries, args.lang):
        for line in group:
            print(line.plain)
    for line in total_lines(entries, args.lang):
        print(line.plain)
    if args.csv:
        with args.csv.open("w", encoding="utf-8", newline="") as out:
            write_csv(entries, out)
    if args.chart:
        currency = args.currency or next(iter(currencies(entries)), None)
        if currency is None:
            print("no priced pledge to chart", file=sys.stderr)
            return 1
        args.chart.write_bytes(ledger_chart(entries, currency.upper(), args.lang))
        print(f"chart of pledges in {currency.upper()} written to {args.chart}", file=sys.stderr)
    return 0


def _parse_as_of(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cmd_brief(args: argparse.Namespace) -> int:
    from briefings.brief import build_topic_brief
    from briefings.render import render_bilingual

    settings = _settings(args)
    pipeline = _pipeline(settings)
    topic = pipeline.topics.get(args.topic)
    if topic is None:
        print(f"unknown topic {args.topic!r}; known topics: {', '.join(sorted(pipeline.topics))}", file=sys.stderr)
        return 2
    as_of = _parse_as_of(args.as_of)
    pipeline.ensure_views()
    stories = [v.story for v in pipeline.store.views(topics=[topic.slug])]
    brief = build_topic_brief(topic, stories, as_of=as_of)
    langs = ("fr", "en") if args.lang == "both" else (args.lang,)
    print(render_bilingual(brief, fmt=args.format, langs=langs))
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """Rebuild the stored story views from the articles (after a rules upgrade, or to repair them)."""
    count = _pipeline(_settings(args)).reindex()
    print(f"story views rebuilt from the articles: {count}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(fmt=args.format, langs=("fr", "en") if args.lang == "both" else (args.lang,),
                                chart=args.ledger_chart))


def cmd_check_config(args: argparse.Namespace) -> int:
    from bot.config import missing_tokens
    from bot.platforms import describe_startup

    try:
        settings = _settings(args)
        problems = []
    except ConfigError as exc:
        if exc.partial is None:
            for problem in exc.problems:
                print(f"error: {problem}")
            return 1
        settings, problems = exc.partial, list(exc.problems)
    problems += missing_tokens(settings)
    if args.online:
        from bot.online_check import check_tokens

        accepted, refused, partial = asyncio.run(check_tokens(settings))
        problems += refused
        for line in accepted:
            print(line)
        for problem in partial:
            print(f"warning: {problem}")
    for problem in problems:
        print(f"error: {problem}")
    print(f"{settings.path or 'embedded defaults'}: {len(settings.feeds)} feeds, {len(settings.channels)} channels")
    for line in describe_startup(settings):
        print(line)
    for line in _channel_layers(settings):
        print(line)
    return 1 if problems else 0


def _channel_layers(settings: Settings) -> list[str]:
    """Each channel's values and the layer each comes from (config.toml, [defaults], chat): chat-made
    settings are read from the database when it exists and answers; a database not created yet is not."""
    from sqlalchemy.engine import make_url

    from bot.channel_settings import layer_lines
    from briefings.store import Store

    url = make_url(settings.storage_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return layer_lines(settings, None)
    try:
        store = Store(settings.storage_url)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return [*layer_lines(settings, None), f"note: settings made from chat not read, the database cannot be "
                                              f"used: {reason}"]
    try:
        return layer_lines(settings, store)
    finally:
        store.close()


def cmd_run(args: argparse.Namespace) -> int:
    from bot.run import main_run

    return main_run(_settings(args), dry_run=args.dry_run)


def cmd_web(args: argparse.Namespace) -> int:
    from bot.web import main_web

    return main_web(_settings(args), host=args.host, port=args.port)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="briefbot", description="Bilingual news briefs for Discord and Slack.")
    ap.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    ap.add_argument("--log-json", action="store_true", default=None,
                    help="log one JSON object per line (also BRIEFBOT_LOG_FORMAT=json)")
    sub = ap.add_subparsers(dest="command", required=True)

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--config", type=Path, help="config.toml (default: ./config.toml if present)")
        p.set_defaults(func=func)
        return p

    p = command("demo", cmd_demo, "serve the bundled sample feeds on loopback and print the brief")
    p.add_argument("--lang", choices=("fr", "en", "both"), default="both")
    p.add_argument("--format", choices=("text", "markdown"), default="text")
    p.add_argument("--ledger-chart", type=Path, help="also write the chart of the demo's pledges (PNG) here")
    p = command("poll", cmd_poll, "poll every configured feed and store new articles")
    p.add_argument("--once", action="store_true", help="poll once and exit (the scheduler polls in `run`)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--force", action="store_true", help="also poll feeds that are backing off after failures")
    how.add_argument("--shared", action="store_true",
                   help="poll only this process's share of the due feeds, taken by lease, so that several "
                        "processes (or run workers) on one PostgreSQL database share the poll")
    p = command("export", cmd_export, "print stories and facts")
    p.add_argument("--format", choices=("json",), default="json")
    p = command("brief", cmd_brief, "print the brief of a topic")
    p.add_argument("--topic", required=True)
    p.add_argument("--lang", choices=("fr", "en", "both"), default="both")
    p.add_argument("--as-of", help="ISO date or time; dates after it are upcoming (default: now)")
    p.add_argument("--format", choices=("text", "markdown"), default="text")
    p = command("ledger", cmd_ledger, "print the pledge ledger: pledges per donor over time, totals per currency")
    p.add_argument("--donor", help="a donor's code or name (joint pledges it is part of included)")
    p.add_argument("--recipient", help="a recipient's code or name")
    p.add_argument("--since", help="ISO date: pledges first reported on or after it")
    p.add_argument("--lang", choices=("fr", "en"), default="en")
    p.add_argument("--csv", type=Path, help="write the ledger (pledges, then totals) as CSV to this file")
    p.add_argument("--chart", type=Path, help="write a PNG of cumulative pledges to this file")
    p.add_argument("--currency", help="the chart's currency (default: the one with most pledges)")
    command("reindex", cmd_reindex, "rebuild the stored story views from the articles")
    p = command("check-config", cmd_check_config, "validate the config and say which platforms will start")
    p.add_argument("--online", action="store_true",
                   help="also check the tokens with the platforms (Slack auth.test, Discord login)")
    p = command("run", cmd_run, "run the bot: scheduler, Discord and Slack")
    p.add_argument("--dry-run", action="store_true", help="no tokens: print what would be posted")
    p = command("web", cmd_web, "serve the story and topic pages, and Slack's HTTP endpoints when its secrets are set")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=3000)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(logging.DEBUG if args.verbose else logging.INFO, as_json=args.log_json)
    try:
        return args.func(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # the database is unreachable or refuses us: say so, no traceback
        reason = getattr(exc, "orig", None) or exc
        print(f"error: storage.url: the database cannot be used: {str(reason).splitlines()[0]}", file=sys.stderr)
        return 2
