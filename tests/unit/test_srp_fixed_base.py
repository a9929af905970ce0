"""The fixed-base table for g = 2 gives exactly pow(2, e, N), on both backends, for any exponent."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from authflow import srp

BACKENDS = ["python"] + (["gmpy2"] if srp.gmpy2_available() else [])
LIMIT = 1 << srp.FIXED_BASE_BITS


@pytest.fixture(params=BACKENDS, autouse=True)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    previous = srp.BACKEND
    srp.use_backend(request.param)
    yield request.param
    srp.use_backend(previous)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=LIMIT - 1))
def test_table_equals_pow_for_any_exponent_it_covers(exponent: int) -> None:
    assert srp.fixed_base_table().power(exponent) == pow(2, exponent, srp.N)


@pytest.mark.parametrize("exponent", [0, 1, 2, 31, 32, 33, 2**255, 2**1023, LIMIT - 1, (LIMIT - 1) // 3])
def test_table_edges(exponent: int) -> None:
    assert srp.fixed_base_table().power(exponent) == pow(2, exponent, srp.N)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=-(2**40), max_value=LIMIT * 4))
def test_g_pow_equals_pow_inside_and_outside_the_table(exponent: int) -> None:
    srp.fixed_base_table()
    if exponent < 0:
        expected = pow(pow(2, -exponent, srp.N), -1, srp.N)
    else:
        expected = pow(2, exponent, srp.N)
    assert srp.g_pow(exponent) == expected


def test_table_refuses_exponents_it_does_not_cover() -> None:
    with pytest.raises(ValueError):
        srp.fixed_base_table().power(LIMIT)
    with pytest.raises(ValueError):
        srp.fixed_base_table().power(-1)


def test_one_table_per_backend_however_many_threads_ask() -> None:
    tables: list[srp.FixedBaseTable] = []
    threads = [threading.Thread(target=lambda: tables.append(srp.fixed_base_table())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tables) == 4 and all(t is tables[0] for t in tables)


def test_the_table_is_built_once_plain_exponentiations_pass_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srp, "_tables", {})
    monkeypatch.setattr(srp, "_plain_bits", 0)
    x = (1 << 255) | 0x5EED  # 256 bits, as a verifier's x and the pool's b
    for _ in range(srp.FIXED_BASE_AFTER_BITS // 256):  # 16: more than a seed of 9 users needs at start
        assert srp.g_pow(x) == pow(2, x, srp.N)
    assert srp._tables == {}
    assert srp.g_pow(x) == pow(2, x, srp.N)
    assert srp.BACKEND in srp._tables


def test_client_and_server_agree_through_the_table() -> None:
    srp.fixed_base_table()
    salt = "00ff" * 8
    verifier = srp.compute_verifier(salt, "Pool", "bob", "pw-1")
    assert verifier == pow(2, srp.calculate_x(salt, "Pool", "bob", "pw-1"), srp.N)
    server = srp.ServerEphemeral(verifier)
    client = srp.ClientEphemeral()
    assert client.public == pow(2, client._a, srp.N)
    assert client.password_authentication_key("Pool", "bob", "pw-1", salt, server.srp_b) == server.session_key(
        client.public
    )


def test_gmpy2_releases_the_gil_in_every_thread_that_does_srp_math() -> None:
    if not srp.gmpy2_available():
        pytest.fail("gmpy2 is in the test extra: pip install -e '.[test]'")
    import gmpy2

    srp.use_backend("gmpy2")
    seen: list[bool] = []

    def work() -> None:
        before = gmpy2.get_context().allow_release_gil
        srp.powmod(3, 2**64 + 1, srp.N)
        seen.extend([before, gmpy2.get_context().allow_release_gil])

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [False, True]
