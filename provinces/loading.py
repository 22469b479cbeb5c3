"""Loading an edition of the official unit lists (GSO) into Province, District and Commune,
and the lineage between editions (see sources.py for where the data comes from)."""

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from isotrack.text import fold

from .choices import split_name
from .editions import PRE_2025, REFORM_2025, TWO_TIER
from .models import Commune, CommuneSuccession, District, Province, ProvinceSuccession
from .sources import AdminUnitsData, pre_2025_path

# The three-level edition shipped by vietnam-provinces 0.6.0 was in force until the reform
# of 01/07/2025 (valid_until is exclusive).
PRE_2025_UNTIL = REFORM_2025


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


@dataclass
class LineageReport:
    provinces: int = 0
    communes: int = 0
    split: int = 0  # old communes divided between several new ones
    created: int = 0
    updated: int = 0
    removed: int = 0
    # Old communes the conversion table does not list (abolished before the reform): (code, name)
    unmatched: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.created or self.updated or self.removed)


class LineageLoader:
    """Link each unit of the pre-2025 edition to the unit(s) of the two-tier edition it went into.

    1. read the conversion table (old names -> new names) and translate both sides to codes;
    2. look the codes up in the two editions in the database (two queries per level);
    3. create missing links, correct changed flags, remove links the data no longer has.
    Running it twice changes nothing.
    """

    def __init__(self, data, progress=None):
        self.data = data
        self.progress = progress or (lambda message: None)
        self.report = LineageReport()

    @transaction.atomic
    def load(self):
        old_provinces = dict(Province.objects.of_edition(PRE_2025).values_list("code", "pk"))
        new_provinces = dict(Province.objects.of_edition(TWO_TIER).values_list("code", "pk"))
        wanted_provinces = {
            (old_provinces[old], new_provinces[new])
            for old, new in self.data.province_lineage()
            if old in old_provinces and new in new_provinces
        }
        self._sync_provinces(wanted_provinces)

        old_communes = list(
            Commune.objects.of_edition(PRE_2025).values_list("pk", "code", "province__name", "district__name", "name")
        )
        new_communes = dict(Commune.objects.of_edition(TWO_TIER).values_list("code", "pk"))
        wanted, unmatched = {}, []
        for pk, code, province, district, name in old_communes:
            links = self.data.commune_successors(code, province, district, name)
            found = [(new_communes[new], whole, default) for new, whole, default in links if new in new_communes]
            if not found:
                unmatched.append((code, name))
                continue
            for successor, whole, default in found:
                wanted[(pk, successor)] = (whole, default)
        self.report.unmatched = sorted(unmatched)
        self.report.split = len({pk for (pk, _s), (whole, _d) in wanted.items() if not whole})
        self._sync_communes(wanted)
        self.report.provinces = len(wanted_provinces)
        self.report.communes = len(wanted)
        self.progress(
            f"lineage: {len(wanted_provinces)} province links, {len(wanted)} commune links "
            f"({self.report.split} old communes split), {len(unmatched)} old communes without a successor "
            f"({self.report.created} new, {self.report.updated} updated, {self.report.removed} removed)"
        )
        return self.report

    def _sync_provinces(self, wanted):
        existing = set(ProvinceSuccession.objects.values_list("predecessor_id", "successor_id"))
        ProvinceSuccession.objects.bulk_create(
            [ProvinceSuccession(predecessor_id=old, successor_id=new) for old, new in wanted - existing]
        )
        obsolete = existing - wanted
        for old, new in obsolete:
            ProvinceSuccession.objects.filter(predecessor_id=old, successor_id=new).delete()
        self.report.created += len(wanted - existing)
        self.report.removed += len(obsolete)

    def _sync_communes(self, wanted):
        existing = {
            (link.predecessor_id, link.successor_id): link
            for link in CommuneSuccession.objects.filter(predecessor__valid_until=PRE_2025.valid_until)
        }
        obsolete = [link.pk for key, link in existing.items() if key not in wanted]
        CommuneSuccession.objects.filter(pk__in=obsolete).delete()
        changed = []
        for key, (whole, default) in wanted.items():
            link = existing.get(key)
            if link is not None and (link.whole, link.is_default) != (whole, default):
                link.whole, link.is_default = whole, default
                changed.append(link)
        # A default moves in two passes, so the "one default per old commune" index never sees two.
        CommuneSuccession.objects.bulk_update(
            [link for link in changed if not link.is_default], ["whole", "is_default"]
        )
        CommuneSuccession.objects.bulk_update([link for link in changed if link.is_default], ["whole", "is_default"])
        CommuneSuccession.objects.bulk_create(
            [
                CommuneSuccession(predecessor_id=old, successor_id=new, whole=whole, is_default=default)
                for (old, new), (whole, default) in wanted.items()
                if (old, new) not in existing
            ],
            batch_size=2000,
        )
        self.report.created += sum(1 for key in wanted if key not in existing)
        self.report.updated += len(changed)
        self.report.removed += len(obsolete)


def load_official_units(progress=None):
    """Both editions and the lineage between them, from the packages shipped with the project:
    the pre-2025 edition of vietnam-provinces 0.6.0 and the two-tier edition and conversion
    table of vietnamadminunits. Returns (edition reports, lineage report)."""
    progress = progress or (lambda message: None)
    reports = {}
    progress(f"{PRE_2025.label}: {pre_2025_path()}")
    reports[PRE_2025.key] = EditionLoader(PRE_2025.valid_from, PRE_2025.valid_until, progress).load(
        read_edition(pre_2025_path())
    )
    data = AdminUnitsData()
    progress(f"{TWO_TIER.label}: {data.root}")
    reports[TWO_TIER.key] = EditionLoader(TWO_TIER.valid_from, TWO_TIER.valid_until, progress).load(data.two_tier())
    lineage = LineageLoader(data, progress).load()
    return reports, lineage
