"""Loading an edition of the official unit lists (GSO) into Province, District and Commune."""
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from isotrack.text import fold

from .choices import split_name
from .models import Commune, District, Province

# The three-level edition shipped by vietnam-provinces 0.6.0 was in force until the reform
# of 01/07/2025 (valid_until is exclusive).
PRE_2025_UNTIL = datetime.date(2025, 7, 1)


def bundled_edition_path():
    import vietnam_provinces

    return Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH)


@dataclass
class LoadReport:
    created: dict = field(default_factory=lambda: {"province": 0, "district": 0, "commune": 0})
    updated: dict = field(default_factory=lambda: {"province": 0, "district": 0, "commune": 0})
    total: dict = field(default_factory=lambda: {"province": 0, "district": 0, "commune": 0})

    @property
    def changed(self):
        return any(self.created.values()) or any(self.updated.values())


def read_edition(path):
    """The nested JSON of vietnam-provinces: provinces -> districts -> wards.

    A two-tier edition may list wards directly under a province (no districts).
    """
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise ValueError("the file must hold a JSON list of provinces")
    return data


def _code(value, width):
    return str(int(value)).zfill(width)


class EditionLoader:
    """Load one edition: create what is missing, rename what changed, touch nothing else.

    1. Read the file and build the wanted rows per level.
    2. For each level, top down, fetch the edition's existing rows by code in one query.
    3. bulk_create the missing ones, bulk_update those whose name or parent changed.
    Running it twice on the same file changes nothing.
    """

    def __init__(self, valid_from=None, valid_until=None, progress=None):
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.progress = progress or (lambda message: None)
        self.report = LoadReport()

    def edition(self, model):
        return model.objects.filter(valid_from=self.valid_from, valid_until=self.valid_until)

    def overlapping_other_editions(self, model, codes):
        """Units of another edition, valid at the same time, holding one of `codes`."""
        others = model.objects.filter(code__in=codes).exclude(valid_from=self.valid_from, valid_until=self.valid_until)
        if self.valid_until:
            others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=self.valid_until))
        if self.valid_from:
            others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_from))
        return others

    @transaction.atomic
    def load(self, data):
        provinces, districts, communes = [], [], []
        for p in data:
            p_code = _code(p["code"], 2)
            provinces.append((p_code, p["name"], None))
            for d in p.get("districts", []):
                d_code = _code(d["code"], 3)
                districts.append((d_code, d["name"], p_code))
                for w in d.get("wards", []):
                    communes.append((_code(w["code"], 5), w["name"], (p_code, d_code)))
            for w in p.get("wards", []):
                communes.append((_code(w["code"], 5), w["name"], (p_code, None)))

        province_ids = self._load_level(Province, 1, "province", provinces, lambda parent: {})
        district_ids = self._load_level(
            District, 2, "district", districts, lambda parent: {"province_id": province_ids[parent]}
        )
        self._load_level(
            Commune,
            3,
            "commune",
            communes,
            lambda parent: {
                "province_id": province_ids[parent[0]],
                "district_id": district_ids[parent[1]] if parent[1] else None,
            },
        )
        return self.report

    def _load_level(self, model, level, label, rows, parent_fields):
        codes = [code for code, _name, _parent in rows]
        if len(codes) != len(set(codes)):
            raise ValueError(f"duplicate {label} codes in the file")
        clash = self.overlapping_other_editions(model, codes).values_list("code", flat=True)[:5]
        if clash:
            raise ValueError(
                f"{label} codes {', '.join(clash)} already belong to units of another edition valid at the same time"
            )
        existing = {unit.code: unit for unit in self.edition(model)}
        to_create, to_update = [], []
        for index, (code, full_name, parent) in enumerate(rows, start=1):
            division_type, short_name = split_name(level, full_name)
            values = {
                "name": full_name,
                "short_name": short_name,
                "division_type": division_type,
                "search_name": fold(full_name),
                **parent_fields(parent),
            }
            unit = existing.get(code)
            if unit is None:
                to_create.append(model(code=code, valid_from=self.valid_from, valid_until=self.valid_until, **values))
            elif any(getattr(unit, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(unit, key, value)
                to_update.append(unit)
            if index % 2000 == 0:
                self.progress(f"  {label}: {index}/{len(rows)}")
        model.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            model.objects.bulk_update(to_update, list(values), batch_size=1000)
        self.report.created[label] = len(to_create)
        self.report.updated[label] = len(to_update)
        self.report.total[label] = len(rows)
        self.progress(f"{label}: {len(rows)} ({len(to_create)} new, {len(to_update)} updated)")
        return dict(self.edition(model).filter(code__in=codes).values_list("code", "pk"))
