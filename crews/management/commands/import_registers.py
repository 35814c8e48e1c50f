"""Import a register file like the import page does: preview, then (with --yes) import, in this process.

manage.py import_registers places_residents 住户.xlsx --user manager            # preview only
manage.py import_registers places_residents 住户.xlsx --user manager --yes      # preview and import
manage.py import_registers --resume 12                                          # carry on a crashed import
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from crews import services
from crews.choices import ImportStatus
from crews.models import ImportJob
from crews.registers import REGISTERS
from residents.tabular import format_row_message


class Command(BaseCommand):
    help = "Import places and residents, staff or facilities from .xlsx/.xls/.csv (preview; --yes to import)."

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", choices=sorted(REGISTERS))
        parser.add_argument("file", nargs="?")
        parser.add_argument("--user", help="the manager the import is recorded for (audit)")
        parser.add_argument("--yes", action="store_true", help="import after the preview")
        parser.add_argument(
            "--end-moved-out", action="store_true", help="end the residencies the file no longer lists"
        )
        parser.add_argument("--resume", type=int, metavar="ID", help="resume an interrupted import")
        parser.add_argument("--errors", type=int, default=20, help="how many error rows to print")

    def handle(self, *args, **options):
        if options["resume"]:
            job = services.resume_import(actor=None, job_id=options["resume"], queue=False)
            services.run_import(job_id=job.pk)
            return self._report(job.pk, options)
        if not options["kind"] or not options["file"]:
            raise CommandError("give KIND and FILE (or --resume ID)")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with path.open("rb") as handle:
            try:
                job = services.start_import(
                    actor=actor, kind=options["kind"], upload=File(handle, name=path.name), queue=False
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        services.preview_import(job_id=job.pk)
        job.refresh_from_db()
        self._report(job.pk, options)
        if job.status != ImportStatus.READY or not options["yes"]:
            return
        services.confirm_import(
            actor=actor, job_id=job.pk, end_moved_out=options["end_moved_out"], queue=False
        )
        services.run_import(job_id=job.pk)
        self._report(job.pk, options)

    def _report(self, job_id: int, options) -> None:
        job = ImportJob.objects.get(pk=job_id)
        self.stdout.write(
            f"import #{job.pk} {job.file_name}: {job.status} · rows {job.rows_total} · created {job.created}"
            f" · updated {job.updated} · unchanged {job.unchanged} · errors {job.error_count}"
            f" · moved out {job.moved_out} · residencies ended {job.ended}"
        )
        if job.failure:
            self.stdout.write(job.failure)
        for error in job.errors[: options["errors"]]:
            self.stdout.write("  " + format_row_message(error["row"], error["message"]))
