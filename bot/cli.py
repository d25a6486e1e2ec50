"""The `lotse` command line (DESIGN §6): a stable contract other tools rely on."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bot import catalog_check, cli_desk
from bot.cli_common import JsonOpt
from bot.cli_common import fail as _fail
from bot.config import Settings
from bot.engine import load_flows
from bot.engine.intake import check_value
from bot.engine.languages import SOURCE, SUPPORTED
from bot.engine.loader import load_folder
from bot.engine.problems import errors
from bot.engine.rules import evaluate, summary_de
from bot.engine.status import flow_status
from bot.paths import resolve

app = typer.Typer(help="Lotse — first-contact guidance on Bleiberecht.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
flows_app = typer.Typer(help="Editors' tools for flow files and catalogs.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
faq_app = typer.Typer(help="FAQ matching quality.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(flows_app, name="flows")
app.add_typer(db_app, name="db")
app.add_typer(faq_app, name="faq")
app.add_typer(cli_desk.users_app, name="users")
app.add_typer(cli_desk.offices_app, name="offices")
app.add_typer(cli_desk.slots_app, name="slots")
app.add_typer(cli_desk.cases_app, name="cases")
app.command("worker")(cli_desk.worker)
app.command("healthcheck")(cli_desk.healthcheck)

FlowsOpt = Annotated[Path | None, typer.Option("--flows", help="flow folder (default flows/)")]
LocalesOpt = Annotated[Path | None, typer.Option("--locales", help="locales folder")]


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        _fail(f"settings: {exc}")


def _dirs(flows: Path | None, locales: Path | None) -> tuple[Path, Path]:
    settings = _settings()
    return (resolve(flows or settings.flows_dir, "flows"),
            resolve(locales or settings.locales_dir, "locales"))


def _today(value: str | None, settings: Settings) -> date:
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            _fail(f"--today must be YYYY-MM-DD, not {value!r}", 2)
    return settings.today or date.today()


def _logging(level: int = logging.WARNING) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs request URLs at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


@app.command()
def chat(lang: Annotated[str | None, typer.Option("--lang", help="language code")] = None,
         session: Annotated[str, typer.Option(help="name of the terminal session")] = "local",
         flows: FlowsOpt = None, locales: LocalesOpt = None,
         with_inbox: Annotated[bool, typer.Option(
             "--inbox/--no-inbox", help="serve the counsellors' inbox beside the chat")] = False,
         ) -> None:
    """The conversation in the terminal (with --inbox: counsellors can answer in the browser)."""
    _logging()
    from bot.channels.console import Console
    from bot.conversation import build
    from bot.engine.problems import FlowError
    from bot.i18n import Catalogs, negotiate

    settings = _settings()
    flows_dir, locales_dir = _dirs(flows, locales)
    try:
        lotse = build(settings, flows_dir=flows_dir, locales_dir=locales_dir)
    except FlowError as exc:
        _fail(f"The flows have errors; the bot does not start:\n{exc}")
    language = lang if lang in SUPPORTED else negotiate(lang or _env_language())
    console = Console(lotse, Catalogs(locales_dir), session, language)
    inbox = None
    if with_inbox:
        from bot.serve import Background

        inbox = Background(lotse, settings, console.deliver)
        inbox.start()
        typer.echo(f"(Inbox for counsellors: {settings.public_url.rstrip('/')}/inbox/)",
                   err=True)
    try:
        console.run()
    finally:
        if inbox is not None:
            inbox.stop()


def _env_language() -> str | None:
    import locale

    code = locale.getlocale()[0]
    return code.replace("_", "-") if code and code not in ("C", "POSIX") else None


@app.command()
def run(flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """The bot on Telegram; without LOTSE_TELEGRAM_TOKEN, the same conversation here."""
    settings = _settings()
    if settings.telegram_token is None:
        typer.echo("LOTSE_TELEGRAM_TOKEN is not set: starting the conversation in the terminal "
                   "instead (lotse chat).", err=True)
        chat(lang=None, session="local", flows=flows, locales=locales, with_inbox=True)
        return
    _logging(logging.INFO)
    import asyncio

    from bot.conversation import build
    from bot.engine.problems import FlowError
    from bot.i18n import Catalogs
    from bot.serve import run_bot

    flows_dir, locales_dir = _dirs(flows, locales)
    try:
        lotse = build(settings, flows_dir=flows_dir, locales_dir=locales_dir)
    except FlowError as exc:
        _fail(f"The flows have errors; the bot does not start:\n{exc}")
    asyncio.run(run_bot(lotse, Catalogs(locales_dir), settings))


@flows_app.command("check")
def flows_check(flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """Validate all flows and catalogs; exit 1 with `file:line:` errors."""
    settings = _settings()
    flows_dir, locales_dir = _dirs(flows, locales)
    _flows, problems = load_flows(flows_dir, today=settings.today or date.today(),
                                  settings=settings.feature_flags(),
                                  placeholders=settings.placeholders(),
                                  review_max_age_days=settings.review_max_age_days)
    problems += catalog_check.check(locales_dir)
    for problem in problems:
        typer.echo(str(problem))
    count = len(errors(problems))
    if count:
        _fail(f"{count} error(s)")
    typer.echo(f"ok: {flows_dir} and {locales_dir}"
               + (f" ({len(problems)} warning(s))" if problems else ""))


@flows_app.command("status")
def flows_status(json_out: JsonOpt = False, flows: FlowsOpt = None,
                 locales: LocalesOpt = None) -> None:
    """Per language: translated, stale, missing — flows and chrome catalogs."""
    flows_dir, locales_dir = _dirs(flows, locales)
    flow_counts = flow_status(load_folder(flows_dir))
    catalog_counts = catalog_check.status(locales_dir)
    report: dict[str, Any] = {"languages": {}}
    for language in SUPPORTED:
        both = flow_counts[language].add(catalog_counts[language])
        report["languages"][language] = {**both.as_dict(),
                                         "flows": flow_counts[language].as_dict(),
                                         "catalog": catalog_counts[language].as_dict()}
    if json_out:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(f"{'lang':6} {'total':>6} {'transl.':>8} {'stale':>6} {'missing':>8}  reviewed")
    for language, row in report["languages"].items():
        typer.echo(f"{language:6} {row['total']:>6} {row['translated']:>8} {row['stale']:>6} "
                   f"{row['missing']:>8}  {'yes' if row['reviewed'] else 'no (machine)'}")


@flows_app.command("stamp")
def flows_stamp(lang: Annotated[str, typer.Option("--lang", help="language to stamp")],
                node: Annotated[str | None, typer.Option(help="only this node or topic")] = None,
                flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """Record that the translations of LANG are current (writes the source hashes)."""
    from bot.editors import stamp

    if lang not in SUPPORTED or lang == SOURCE:
        _fail(f"--lang must be one of {', '.join(x for x in SUPPORTED if x != SOURCE)}", 2)
    flows_dir, _ = _dirs(flows, locales)
    try:
        count = stamp(flows_dir, lang, node)
    except ValueError as exc:
        _fail(str(exc))
    typer.echo(f"stamped {count} text(s) in {flows_dir / lang}")


@app.command()
def ask(question: str, lang: Annotated[str, typer.Option("--lang")] = "de",
        json_out: JsonOpt = False, flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """What the bot would do with a typed question: answer, suggest or none."""
    flowset = _load(flows, locales)
    assert flowset.faq is not None
    match = flowset.faq.match(question, lang if lang in SUPPORTED else "en")
    result = {"decision": match.decision.value,
              "matches": [{"id": t, "score": s} for t, s in match.matches]}
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(match.decision.value)
    for topic, score in match.matches:
        typer.echo(f"  {score:5.1f}  {topic}")


def _load(flows: Path | None, locales: Path | None) -> Any:
    settings = _settings()
    flows_dir, _ = _dirs(flows, locales)
    flowset, problems = load_flows(flows_dir, today=settings.today or date.today(),
                                   settings=settings.feature_flags(),
                                   placeholders=settings.placeholders(),
                                   review_max_age_days=settings.review_max_age_days)
    if flowset is None:
        _fail("The flows have errors:\n" + "\n".join(str(p) for p in errors(problems)))
    return flowset


@app.command()
def simulate(answers: Annotated[Path, typer.Option("--answers", help="intake answers (JSON)")],
             lang: Annotated[str, typer.Option("--lang")] = "de",
             today: Annotated[str | None, typer.Option("--today", help="YYYY-MM-DD")] = None,
             json_out: JsonOpt = False, flows: FlowsOpt = None,
             locales: LocalesOpt = None) -> None:
    """Apply the pre-screening rules to intake answers and print the outcome."""
    del flows, locales  # the rules are the same for every flow set
    try:
        given = json.loads(answers.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(f"{answers}: cannot read JSON answers: {exc}", 2)
    if not isinstance(given, dict):
        _fail(f"{answers}: must be a JSON object of intake keys", 2)
    problems = [p for p in (check_value(k, v) for k, v in given.items()) if p]
    if problems:
        _fail(f"{answers}: " + "; ".join(problems), 2)
    day = _today(today, _settings())
    given.setdefault("language", lang)
    outcome = evaluate(given, day)
    result = {"pathways": list(outcome.pathways), "urgent": outcome.urgent,
              "priority": outcome.priority,
              "handoff": {"answers": given, "summary_de": summary_de(given, outcome)}}
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"priority: {outcome.priority}\npathways: {', '.join(outcome.pathways) or '—'}")
    typer.echo(summary_de(given, outcome))


@faq_app.command("eval")
def faq_eval(json_out: JsonOpt = False,
             labelled: Annotated[Path, typer.Option("--set", help="folder of <lang>.yaml")] = Path(
                 "tests/faq_eval"),
             misses: Annotated[bool, typer.Option(help="list what was matched wrongly")] = False,
             flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """Accuracy on the project's labelled FAQ set: top-1, top-3, false confidence."""
    from bot.evaluation import evaluate, report

    flowset = _load(flows, locales)
    if not labelled.is_dir():
        _fail(f"{labelled}: no labelled set here (run from the repository or pass --set)", 2)
    scores = evaluate(flowset.faq, labelled)
    figures = report(scores)
    if json_out:
        typer.echo(json.dumps(figures, indent=2))
        return
    typer.echo(f"{'lang':6} {'cases':>6} {'top-1':>7} {'top-3':>7} {'wrong':>7} "
               f"{'no-match':>9} {'false-conf.':>12}")
    for language, row in [*figures["languages"].items(), ("all", figures["overall"])]:
        typer.echo(f"{language:6} {row['cases']:>6} {row['top1']:>7.1%} {row['top3']:>7.1%} "
                   f"{row['wrong_answer_rate']:>7.1%} {row['no_match']:>9} "
                   f"{row['false_confident_rate']:>12.1%}")
    if misses:
        for language, score in scores.items():
            for miss in score.misses:
                typer.echo(f"{language} {miss['topic']}: {miss['question']!r} -> "
                           f"{miss['got']} ({miss['decision']})")


@app.command()
def purge(dry_run: Annotated[bool, typer.Option("--dry-run", help="only count")] = False,
          flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """Erase chats without activity for LOTSE_RETENTION_DAYS (also runs hourly in `run`)."""
    from bot.conversation import build

    settings = _settings()
    lotse = build(settings, flows_dir=_dirs(flows, locales)[0])
    count = lotse.purge(settings.retention_days, dry_run=dry_run)
    typer.echo(f"{'would erase' if dry_run else 'erased'} {count} chat(s) idle for more than "
               f"{settings.retention_days} days")


@keys_app.command("rotate")
def keys_rotate(flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """Re-encrypt all stored personal data under the newest key of LOTSE_DATA_KEYS."""
    del flows, locales
    from bot.store.crypto import Vault, keys_from
    from bot.store.db import make_engine
    from bot.store.rotation import rotate

    settings = _settings()
    data_keys, _ = keys_from(settings)
    count = rotate(make_engine(settings.database_url), Vault(data_keys))
    typer.echo(f"re-encrypted {count} value(s) under the newest key")


@db_app.command("upgrade")
def db_upgrade(flows: FlowsOpt = None, locales: LocalesOpt = None) -> None:
    """Apply the database migrations."""
    del flows, locales
    from bot.store.db import upgrade

    upgrade(_settings().database_url)
    typer.echo("database is up to date")


def main() -> None:
    """Entry point of the `lotse` console script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["app", "main"]
