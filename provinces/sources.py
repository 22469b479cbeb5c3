"""Where the official unit lists come from: data files of two registry packages, read as files.

- `vietnam-provinces` 0.6.0: the pre-2025 edition (63 provinces, 696 districts, 10,051
  communes) as nested JSON.
- `vietnamadminunits` 1.0.4 (MIT): the two-tier edition in force from 01/07/2025 (34
  provinces, 3,321 communes with their GSO codes) in its SQLite dataset, and the conversion
  table old -> new of the reform (whole and split communes, a default successor for each
  split) in `converter_2025.json`.

The second package's Python modules parse and geocode street addresses and import shapely
and geopy; isotrack needs only its data, so it is installed without those dependencies
(requirements/data.txt) and never imported: the files are found through the import system's
spec, which does not run the package.
"""

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from functools import cached_property
from pathlib import Path

from isotrack.text import fold


def package_dir(name):
    """The folder of an installed package, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the package {name} is not installed")
    return Path(spec.submodule_search_locations[0])


def pre_2025_path():
    return package_dir("vietnam_provinces") / "data" / "nested-divisions.json"


def key(text):
    """The package's name key: lower case, no accents, letters and digits only ("Xã Đạ M'ri" -> "xadamri")."""
    return re.sub(r"[^a-z0-9]", "", fold(text or ""))


class AdminUnitsData:
    """The two-tier edition and the 2025 conversion table of `vietnamadminunits`."""

    def __init__(self, root=None):
        self.root = Path(root) if root else package_dir("vietnamadminunits") / "data"

    def _rows(self, sql):
        with sqlite3.connect(f"file:{self.root / 'dataset.db'}?mode=ro", uri=True) as connection:
            return connection.execute(sql).fetchall()

    def two_tier(self):
        """The edition in the loader's nested shape: provinces, each with its wards (no districts)."""
        provinces = {}
        rows = self._rows(
            "SELECT provinceCode, province, wardCode, ward FROM admin_units ORDER BY provinceCode, wardCode"
        )
        for province_code, province, ward_code, ward in rows:
            entry = provinces.setdefault(province_code, {"code": province_code, "name": province, "wards": []})
            entry["wards"].append({"code": ward_code, "name": ward})
        return list(provinces.values())

    @cached_property
    def _conversion(self):
        with open(self.root / "converter_2025.json", encoding="utf-8") as handle:
            return json.load(handle)

    @cached_property
    def _new_ward_codes(self):
        """(new province key, new ward key) -> new ward code."""
        return {(p, w): code for p, w, code in self._rows("SELECT provinceKey, wardKey, wardCode FROM admin_units")}

    @cached_property
    def _new_province_codes(self):
        return dict(self._rows("SELECT DISTINCT provinceKey, provinceCode FROM admin_units"))

    @cached_property
    def _legacy_keys(self):
        """old ward code -> "province_district_ward" key of the conversion table."""
        rows = self._rows(
            "SELECT wardCode, provinceKey, districtKey, wardKey FROM admin_units_legacy WHERE wardCode IS NOT NULL"
        )
        return {code: f"{p}_{d}_{w}" for code, p, d, w in rows}

    @cached_property
    def _successors(self):
        """old key -> [(new ward code, whole, is_default)]."""
        successors = defaultdict(list)
        for province_key, wards in self._conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for ward_key, old_keys in wards.items():
                code = self._new_ward_codes[(province_key, ward_key)]
                for old_key in old_keys:
                    successors[old_key].append((code, True, True))
        for province_key, old_wards in self._conversion["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old_key, new_wards in old_wards.items():
                successors[old_key] = [
                    (self._new_ward_codes[(province_key, ward["newWardKey"])], False, bool(ward["isDefaultNewWard"]))
                    for ward in new_wards
                ]
        return successors

    def commune_successors(self, code, province, district, name):
        """[(new commune code, whole, is_default)] for an old commune, found by its code in the
        package's pre-2025 list, else by its names (a few codes changed in early 2025)."""
        old_key = self._legacy_keys.get(code)
        if old_key in self._successors:
            return self._successors[old_key]
        return self._successors.get(f"{key(province)}_{key(district)}_{key(name)}", [])

    def province_lineage(self):
        """[(old province code, new province code)]."""
        old_codes = dict(self._rows("SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy"))
        return [
            (old_codes[old_key], self._new_province_codes[new_key])
            for new_key, old_keys in self._conversion["DICT_PROVINCE"].items()
            for old_key in old_keys
        ]
