"""`taizhang package` across two data directories, as the IT people of a township and of its district would run
it: seal and export on the township's server, import on the district's, the township's figures in the district's
report; an altered file exits 2 and changes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from cli_kit import taizhang
from conftest import exam, unit


def jsonl(*lines: dict) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def test_a_township_package_travels_to_the_district_by_file(tmp_path: Path) -> None:
    town, district = tmp_path / "town", tmp_path / "district"
    assert (
        taizhang(
            town,
            "import",
            "-",
            stdin=jsonl(unit("town", "华西镇"), exam("EX-1", "2025-03-01", 40, 30, 27, unit="town")),
        ).returncode
        == 0
    )
    assert (
        taizhang(
            district,
            "import",
            "-",
            stdin=jsonl(unit("district", "光华区"), exam("EX-9", "2025-03-01", 10, 10, 2, unit="district")),
        ).returncode
        == 0
    )
    sealed = taizhang(town, "seal", "--unit", "town", "--year", "2025")
    assert sealed.returncode == 0, sealed.stderr
    out = tmp_path / "华西镇2025.tzpkg"
    ran = taizhang(town, "package", "export", "--seal", json.loads(sealed.stdout)["seal"], "--output", str(out))
    assert ran.returncode == 0, ran.stderr

    # An altered copy: refused with exit 2, naming the report, and the district's figures are unchanged.
    with zipfile.ZipFile(out) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["report.json"] = files["report.json"].replace(b'"value":30', b'"value":300')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, body in files.items():
            z.writestr(n, body)
    altered = tmp_path / "altered.tzpkg"
    altered.write_bytes(buf.getvalue())
    ran = taizhang(district, "package", "import", str(altered), "--parent", "district")
    assert ran.returncode == 2 and "report" in ran.stderr

    ran = taizhang(district, "package", "import", str(out))
    assert ran.returncode == 2 and "--parent" in ran.stderr
    ran = taizhang(district, "package", "import", str(out), "--parent", "district")
    assert ran.returncode == 0, ran.stderr
    assert "华西镇" in ran.stdout
    report = json.loads(taizhang(district, "report", "--unit", "district", "--year", "2025").stdout)
    assert report["figures"]["exam.participants"]["value"] == 40
    assert report["figures"]["exam.pass_rate"]["value"] == 72.5  # (27 + 2) / (30 + 10)
    listed = json.loads(taizhang(district, "package", "list", "--format", "json").stdout)
    assert listed[0]["unit"] == "town" and listed[0]["packages"][0]["recorded_by"] == "cli-tester"
    assert taizhang(district, "verify").returncode == 0
    # The district's progress lists the township as submitted by package, on the page's table and the command's.
    progress = taizhang(district, "filing", "progress", "--unit", "district", "--year", "2025")
    assert progress.returncode == 0, progress.stderr
    assert "华西镇（town）〔报送包〕" in progress.stdout and "已收到报送包" in progress.stdout
    body = json.loads(
        taizhang(district, "filing", "progress", "--unit", "district", "--year", "2025", "--format", "json").stdout
    )
    assert [(u["unit"], u["state"], u["remote"]) for u in body["units"]] == [("town", "submitted", True)]
