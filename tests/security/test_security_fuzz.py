"""Fuzzing every file reviewflow reads, through the commands users run (issue 21).

Seeds are small valid files of each kind (records as RIS, CSV and XLSX; an
extraction sheet; a decide CSV; reviewflow.toml, analyses.toml and a form; a
bundle). Hypothesis truncates them, splices in random bytes, repeats or drops
lines. Whatever comes out, the command must either succeed or fail with exit 1
and ONE line that names the file, leaving the store exactly as it was (every
table's rows and checksum). Bounded: a fixed number of examples per kind, so
the suite's time stays flat; ``REVIEWFLOW_FUZZ_EXAMPLES`` raises it for a long run.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.store.bundle import summarize
from reviewflow.store.db import Store
from reviewflow.store.location import load_config

runner = CliRunner()
EXAMPLES = int(os.environ.get("REVIEWFLOW_FUZZ_EXAMPLES", "12"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Title", "Authors", "Year", "DOI"])
    ws.append(["Stem cells in lupus", "Lee, K.", 2020, "10.1/a"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SEEDS = {
    "records.ris": b"TY  - JOUR\nTI  - Stem cells in knee OA\nAU  - Smith, J\nPY  - 2019\n"
                   b"SP  - 12-9\nER  - \n\nTY  - JOUR\nTI  - MSC in lupus\nPY  - 2020\nER  - \n",
    "records.csv": b"Title,Authors,Year,DOI\nStem cells in OA,\"Smith, J\",2019,10.1/x\n",
    "records.xlsx": _xlsx(),
    "sheet.csv": b"study,outcome,country,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl\n"
                 b"Kim 2020,pain_vas,Korea,3.5,1.2,20,5.1,1.5,20\n",
    "decide.csv": b"record_id,decision,reason,note\n1,include,,looks fine\n2,exclude,,\n",
    "reviewflow.toml": b'[review]\ntitle = "Fuzzed review"\n',
    "analyses.toml": b'[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\n'
                     b'hksj = false\nexclude = ["Lee 2020"]\n',
    "extraction_form.toml": b"[[arms]]\nid = 'treat'\n[[arms]]\nid = 'ctrl'\n"
                            b"[[study_fields]]\nname = 'country'\n[[outcomes]]\n"
                            b"id = 'pain_vas'\ntype = 'continuous'\n",
}


@st.composite
def mangled(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cut", "insert", "replace", "repeat", "drop"]))
        at = draw(st.integers(0, len(data)))
        if kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "repeat":
            data[at:at] = data[max(0, at - 20):at]
        else:
            del data[at:at + draw(st.integers(1, 30))]
    return bytes(data)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A review with records, a reviewer and a study, copied fresh for each example."""
    folder = tmp_path_factory.mktemp("fuzz") / "rev"
    r = ["--review", str(folder)]
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    seed = folder.parent / "seed.ris"
    seed.write_bytes(SEEDS["records.ris"])
    assert runner.invoke(app, [*r, "import", str(seed), "--database", "X"]).exit_code == 0
    assert runner.invoke(app, [*r, "reviewer", "add", "ann"]).exit_code == 0
    assert runner.invoke(app, [*r, "extraction", "study", "add", "Kim 2020"]).exit_code == 0
    # The form in force is stored (version 1) here, so a fuzzed sheet that imports is
    # judged against a store that already holds its form.
    assert runner.invoke(app, [*r, "extraction", "form"]).exit_code == 0
    return folder


def _fresh(base: Path, where: Path) -> Path:
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(base, where)
    return where


def _snapshot(folder: Path) -> dict:
    with Store.open(load_config(folder).database_url()) as store, store.engine.connect() as c:
        return summarize(c)


def _judge(res, file: Path, before: dict, folder: Path) -> None:  # type: ignore[no-untyped-def]
    if res.exit_code == 0:
        return
    exc = res.exception
    assert res.exit_code == 1 and isinstance(exc, ReviewflowError), repr(exc)
    message = str(exc)
    assert "\n" not in message.strip(), message
    assert file.name in message, message
    if (folder / "reviewflow.toml").exists() and file.name != "reviewflow.toml":
        assert _snapshot(folder) == before, f"store changed by a refused {file.name}"


COMMANDS = {
    "records.ris": ["import", "{file}", "--database", "X"],
    "records.csv": ["import", "{file}", "--database", "X"],
    "records.xlsx": ["import", "{file}", "--database", "X"],
    "sheet.csv": ["extraction", "import", "{file}", "--reviewer", "ann"],
    "decide.csv": ["decide", "--reviewer", "ann", "--stage", "title-abstract", "--from",
                   "{file}"],
    "reviewflow.toml": ["status"],
    "analyses.toml": ["analyse", "--all"],
    "extraction_form.toml": ["extraction", "form"],
}
IN_FOLDER = {"reviewflow.toml", "analyses.toml", "extraction_form.toml"}


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_every_file_kind_survives_mangling(kind: str, base: Path, tmp_path: Path) -> None:
    @FUZZ
    @given(data=mangled(SEEDS[kind]))
    def run(data: bytes) -> None:
        folder = _fresh(base, tmp_path / "rev")
        before = _snapshot(folder)
        file = folder / kind if kind in IN_FOLDER else tmp_path / kind
        file.write_bytes(data)
        args = [a.replace("{file}", str(file)) for a in COMMANDS[kind]]
        res = runner.invoke(app, ["--review", str(folder), *args])
        if kind == "analyses.toml" and res.exit_code == 1 and "analyses.toml" not in str(
                res.exception):
            # a valid declaration that cannot run (no reconciled data) names the analysis
            assert "analysis" in str(res.exception) and "\n" not in str(res.exception)
            return
        _judge(res, file, before, folder)

    run()


def test_bundles_survive_mangling(base: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    assert runner.invoke(app, ["--review", str(base), "export", "bundle", str(good)]
                         ).exit_code == 0
    with zipfile.ZipFile(good) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}

    @FUZZ
    @given(name=st.sampled_from(sorted(members)), data=st.data(), whole=st.booleans())
    def run(name: str, data: st.DataObject, whole: bool) -> None:
        bundle = tmp_path / "fuzzed.zip"
        if whole:  # the zip container itself
            bundle.write_bytes(data.draw(mangled(good.read_bytes())))
        else:  # one member, re-zipped (checksums then catch it, or the manifest parser)
            with zipfile.ZipFile(bundle, "w") as zout:
                for member, body in members.items():
                    zout.writestr(member, data.draw(mangled(body)) if member == name else body)
        target = tmp_path / "target"
        shutil.rmtree(target, ignore_errors=True)
        res = runner.invoke(app, ["import-bundle", str(bundle), str(target)])
        if res.exit_code == 0:
            return
        exc = res.exception
        assert res.exit_code == 1 and isinstance(exc, ReviewflowError), repr(exc)
        assert "\n" not in str(exc).strip() and "fuzzed.zip" in str(exc), str(exc)
        assert not (target / "reviewflow.toml").exists()
        assert not target.exists() or not any(target.iterdir())

    run()


def _revman_seeds() -> dict[str, bytes]:
    """A small .rm5 as reviewflow's own writer makes it (studies, references, RoB,
    data and RevMan's computed results), and a small RevMan data-export CSV."""
    from reviewflow.revman.package_writer import write_data_package as data_package
    from reviewflow.revman.reader import read_rm5
    from reviewflow.revman.writer import write_rm5

    small = Path(__file__).parents[1] / "revman" / "fixtures" / "small.rm5"
    csv = ("\ufeffName;Data Type;Statistical Method;Effect Measure;Analysis Model;Events 1;"
           "Mean 1;SD 1;Total 1;Events 2;Mean 2;SD 2;Total 2;Effect Estimate;SE;CI Start;"
           "CI End;Weight;Q;P(Q);I²(Q);Tau²;Z;P(Z);Qint;P(Qint);I²(Qint);df;Year of study\n"
           "MSC versus placebo" + ";" * 28 + "\n"
           "Remission;DIC;MH;Risk Ratio;Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;0;1;"
           "0;1;\n"
           "Li 2019;;;;;5;0;0;30;2;0;0;30;2.5;0.8;0.5;12;100;;;;;;;;;;;2019\n")
    return {"review.rm5": write_rm5(read_rm5(small)), "export.csv": csv.encode("utf-8"),
            "package.zip": _stored_zip(data_package(read_rm5(small), version=2))}


def _stored_zip(data: bytes) -> bytes:
    """The same archive uncompressed, so that mangling reaches the CSV text as well."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    return out.getvalue()


REVMAN_SEEDS = _revman_seeds()


@pytest.mark.parametrize("kind", list(REVMAN_SEEDS))
def test_revman_files_survive_mangling(kind: str, tmp_path: Path) -> None:
    """`revman import` makes a review or refuses in one line naming the file, leaving no
    folder behind; `revman check` agrees, differs (exit 1) or refuses: never a traceback."""
    @FUZZ
    @given(data=mangled(REVMAN_SEEDS[kind]))
    def run(data: bytes) -> None:
        file = tmp_path / kind
        file.write_bytes(data)
        target = tmp_path / "imported"
        shutil.rmtree(target, ignore_errors=True)
        res = runner.invoke(app, ["revman", "import", str(file), str(target)])
        if res.exit_code == 0:
            assert (target / "reviewflow.toml").exists()
        else:
            exc = res.exception
            assert res.exit_code == 1 and isinstance(exc, ReviewflowError), repr(exc)
            assert "\n" not in str(exc).strip() and file.name in str(exc), str(exc)
            assert not target.exists(), f"a refused {kind} left {sorted(target.iterdir())}"
        res = runner.invoke(app, ["revman", "check", str(file)])
        exc = res.exception
        if isinstance(exc, ReviewflowError):
            assert res.exit_code == 1 and "\n" not in str(exc).strip(), str(exc)
            assert file.name in str(exc), str(exc)
        else:
            assert res.exit_code in (0, 1) and (exc is None or isinstance(exc, SystemExit)), \
                repr(exc)

    run()
