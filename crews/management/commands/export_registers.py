"""Export a register in its import template's layout: manage.py export_registers places_residents out.xlsx"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from crews import services
from crews.registers import REGISTERS


class Command(BaseCommand):
    help = "Write places and residents, staff or facilities to .xlsx in the import template's layout."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(REGISTERS))
        parser.add_argument("file")

    def handle(self, *args, **options):
        with open(options["file"], "wb") as target:
            services.export_register(options["kind"], target=target)
        self.stdout.write(f"written {options['file']}")
