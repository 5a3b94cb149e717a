"""Shared test fixtures.

The real third-party exports live in ``../shared/corpus`` beside the checkout
(never copied into the project). Tests that need them use the ``corpus`` fixture,
which skips with a stated reason when the folder is absent.

Store fixtures and the two backends
-----------------------------------
Every test that touches a review store should get it from one of these fixtures,
so the same test runs on SQLite (the default) and, with
``REVIEWFLOW_TEST_BACKEND=postgres``, on a fresh PostgreSQL database per test:

* ``store_url``  -- the URL of an EMPTY database (no schema yet): for tests of
  ``Store.create`` / ``reviewflow init --db``.
* ``review_dir`` -- a review folder made like ``reviewflow init`` makes it
  (``reviewflow.toml`` + a store: a copy of one ``Store.create`` per worker, see
  ``store_backend.new_review_url``); on PostgreSQL the toml names the server, so
  CLI tests just pass ``--review review_dir``.
* ``store``      -- the :class:`~reviewflow.store.db.Store` of ``review_dir``,
  open for the test and disposed after it.

On PostgreSQL ``review_dir`` creates its store IN ``store_url``'s database, so a
test using both gets one database, not two (on SQLite they are two files). A
test needing a second, independent database can ask for ``pg_url`` (PostgreSQL
only) or build a SQLite URL under ``tmp_path``.

``./dev test`` runs the whole suite on SQLite, then re-runs the tests using these
fixtures (marked ``store`` automatically) on PostgreSQL when a server answers::

    REVIEWFLOW_TEST_BACKEND=postgres pytest -m store

Helpers that build stores without these fixtures use
``store_backend.new_store_url(tmp_path)`` and mark their modules
``pytestmark = pytest.mark.store`` (see tests/store_backend.py).

Tests that name their backend explicitly (``db_url`` runs both, ``pg_url`` is
PostgreSQL only) already ran on PostgreSQL in the first pass and are deselected
in the PostgreSQL pass. The server is ``$REVIEWFLOW_TEST_PG`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from store_backend import (
    BACKEND,
    REVIEW_TITLE,
    create_pg_database,
    drop_created,
    drop_made_since,
    drop_pg_database,
    made_so_far,
    new_review_url,
    pg_unavailable,
    review_template,
)

if TYPE_CHECKING:
    from reviewflow.store.db import Store

REPO = Path(__file__).resolve().parents[1]
if BACKEND not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"REVIEWFLOW_TEST_BACKEND={BACKEND!r}: use sqlite or postgres")

# Every figure a test asks for is drawn (a test of a failing savefig must see it fail),
# and nothing lands in the user's cache; tests/test_figure_cache.py turns it on.
os.environ["REVIEWFLOW_FIGURE_CACHE"] = "off"

# Fixtures whose backend follows REVIEWFLOW_TEST_BACKEND (marked ``store``).
BACKEND_FIXTURES = frozenset({"store_url", "review_dir", "store"})
# Fixtures that choose their backend themselves (also marked ``store``).
EXPLICIT_FIXTURES = frozenset({"db_url", "pg_url"})
# Fixtures that make a test slow (marked ``slow``: ``-m "not slow"`` leaves them out).
SLOW_FIXTURES = frozenset({"corpus", "demo_build"})


def corpus_path() -> Path:
    """Where the shared corpus is: $REVIEWFLOW_CORPUS, else ../shared/corpus."""
    env = os.environ.get("REVIEWFLOW_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_path()
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path} (set REVIEWFLOW_CORPUS)")
    return path


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo review, built once per test run and never changed (tests/demo_review.py)."""
    from demo_review import build_once

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's own folder, shared by its workers
    return build_once(root)


@pytest.fixture(scope="session", autouse=True)
def _drop_helper_databases() -> Iterator[None]:
    """PostgreSQL databases made by a module's fixture (and the template) go at the end."""
    yield
    drop_created()


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """PostgreSQL databases the test's helpers made go when it ends (store_backend)."""
    mark = made_so_far()
    yield
    drop_made_since(mark)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark store tests; in the PostgreSQL pass keep only backend-following ones."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & (BACKEND_FIXTURES | EXPLICIT_FIXTURES):
            item.add_marker(pytest.mark.store)
        if names & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        explicit_only = bool(names & EXPLICIT_FIXTURES) and not names & BACKEND_FIXTURES
        (dropped if BACKEND == "postgres" and explicit_only else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _need_pg() -> None:
    reason = pg_unavailable()
    if reason:
        if BACKEND == "postgres":
            pytest.fail(f"REVIEWFLOW_TEST_BACKEND=postgres but {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    _need_pg()
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against SQLite and (when a server answers) PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


_CLONES: set[str] = set()  # store_url databases made from the review template


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on the backend REVIEWFLOW_TEST_BACKEND names (sqlite default).

    On PostgreSQL a test that also asks for ``review_dir`` gets the database holding
    that review's store (see ``review_dir``)."""
    if BACKEND != "postgres":
        yield f"sqlite:///{tmp_path / 'empty-store.db'}"
    elif "review_dir" in request.fixturenames:
        _need_pg()
        url = create_pg_database(template=review_template())
        _CLONES.add(url)
        yield url
        _CLONES.discard(url)
        drop_pg_database(url)
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def review_dir(tmp_path: Path, store_url: str) -> Path:
    """A review folder as ``reviewflow init`` makes it, on the selected backend; its store
    is a copy of one made once per worker (``store_backend.review_template``)."""
    from reviewflow.store.db import Store
    from reviewflow.store.location import ReviewConfig

    folder = tmp_path / "review"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title=REVIEW_TITLE)
    if BACKEND == "postgres":
        config.db_url = store_url
        if store_url not in _CLONES:  # review_dir asked for late: store_url is empty
            Store.create(store_url, title=REVIEW_TITLE).dispose()
    else:
        config.db_url = None  # the default: reviewflow.db inside the folder
        new_review_url(folder, "reviewflow.db")
    config.save()
    return folder


@pytest.fixture
def store(review_dir: Path) -> Iterator[Store]:
    """The open :class:`~reviewflow.store.db.Store` of ``review_dir``."""
    from reviewflow.store.db import Store
    from reviewflow.store.location import load_config

    with Store.open(load_config(review_dir).database_url()) as opened:
        yield opened
