import time

from django.core.management.base import BaseCommand

from motcua.catalog.services.transfer import load_seed_catalog
from motcua.org.services.reference import load_administrative_units


class Command(BaseCommand):
    help = "Load (idempotently) the real provinces, communes, their units and the seed catalogue."

    def handle(self, *args, **options):
        started = time.perf_counter()
        units = load_administrative_units()
        took = time.perf_counter() - started
        self.stdout.write(
            f"agencies: {units.provinces} provinces, {units.communes} communes "
            f"({units.created} created) in {took:.1f} s"
        )
        catalog = load_seed_catalog()
        self.stdout.write(
            f"procedures: {len(catalog.created)} created, {len(catalog.updated)} updated, "
            f"{len(catalog.unchanged)} unchanged"
        )
