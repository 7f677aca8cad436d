"""Import briefs from plain-text files (format in docs/brief-format.md) into the library.

    python manage.py import_briefs FILE [FILE ...] [--dry-run] [--tag TAG] [--created-by USERNAME]
                                   [--update-titles]

All files are parsed first; any error in any file stops the import before anything
is written, with the file and line named. Re-importing a brief changes nothing, except
that a brief whose headline differs from its title in the library is reported as changed,
and renamed with --update-titles.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from briefs.actions import import_briefs, title_changes
from briefs.importer import ParsedBrief, parse_briefs

MAX_FILE_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "Import briefs from plain-text files; nothing is written if any brief is malformed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="parse and count, write nothing")
        parser.add_argument("--tag", action="append", default=[], help="tag the new briefs (repeatable)")
        parser.add_argument(
            "--created-by", metavar="USERNAME", help="record this user as the author and owner"
        )
        parser.add_argument(
            "--update-titles",
            action="store_true",
            help="rename briefs already in the library whose headline in the file is different",
        )

    def handle(
        self,
        *args,
        files: list[Path],
        dry_run: bool,
        tag: list[str],
        created_by: str | None,
        update_titles: bool,
        **options,
    ) -> None:
        verbosity = options["verbosity"]
        parsed: list[ParsedBrief] = []
        for path in files:
            parsed.extend(self.read(path))
        author = None
        if created_by:
            author = get_user_model().objects.filter(username=created_by).first()
            if author is None:
                raise CommandError(f"no user named {created_by!r}")

        if dry_run:
            self.stdout.write(
                f"{len(parsed)} briefs parsed from {len(files)} file(s); dry run, nothing written."
            )
            self.report_changes(title_changes(parsed), updated=False, verbosity=verbosity)
            return
        changes = title_changes(parsed)
        result = import_briefs(
            parsed=parsed,
            created_by=author,
            tags=tag,
            progress=self.progress_bar(verbosity),
            update_titles=[change.content_hash for change in changes] if update_titles else (),
        )
        if verbosity >= 2:
            for brief in result.created:
                self.stdout.write(f"  + {brief.title}")
        self.report_changes(result.changed, updated=update_titles, verbosity=verbosity)
        if verbosity >= 1:
            unchanged = result.unchanged - len(result.retitled)
            retitled = f", {len(result.retitled)} retitled" if result.retitled else ""
            self.stdout.write(
                self.style.SUCCESS(f"{len(result.created)} created{retitled}, {unchanged} unchanged.")
            )

    def report_changes(self, changes, *, updated: bool, verbosity: int) -> None:
        if verbosity < 1 or not changes:
            return
        for change in changes:
            self.stdout.write(f"  changed: {change.brief.title!r} -> {change.title!r}")
        if not updated:
            self.stdout.write(
                f"{len(changes)} title(s) changed in the file; run again with --update-titles to rename them."
            )

    def read(self, path: Path) -> list[ParsedBrief]:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError as error:
            line = path.read_bytes()[: error.start].count(b"\n") + 1
            raise CommandError(f"{path}: line {line}: not valid UTF-8") from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        result = parse_briefs(text)
        if result.errors:
            more = f" (and {len(result.errors) - 1} more)" if len(result.errors) > 1 else ""
            raise CommandError(f"{path}: {result.errors[0]}{more}; nothing imported")
        return result.briefs

    def progress_bar(self, verbosity: int):
        if verbosity < 1 or not self.stdout.isatty():
            return None

        def show(done: int, total: int) -> None:
            if total < 50:
                return
            width = 30
            filled = width * done // total
            end = "\n" if done == total else ""
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end)
            self.stdout.flush()

        return show
