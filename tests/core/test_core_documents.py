"""Brazilian identifiers: validation, formatting, masking and generation."""

import random

import pytest

from portal.core import documents as d


@pytest.mark.parametrize(
    "cpf",
    [
        "529.982.247-25",
        "52998224725",
        "111.444.777-35",
        "  529 982 247 25 ",
        52998224725,
        "123.456.789-09",  # first check digit from remainder 10 → 0
        "935.411.347-80",  # second check digit from remainder 10 → 0
    ],
)
def test_known_valid_cpfs(cpf):
    assert d.is_valid_cpf(cpf)


@pytest.mark.parametrize(
    "cpf",
    [
        "529.982.247-24",  # wrong second check digit
        "529.982.247-15",  # wrong first check digit
        "111.111.111-11",  # passes the arithmetic, never issued
        "000.000.000-00",
        "5299822472",  # 10 digits
        "529982247250",  # 12 digits
        "",
        None,
        "abc",
    ],
)
def test_invalid_cpfs(cpf):
    assert not d.is_valid_cpf(cpf)


def test_every_all_same_digit_cpf_is_rejected():
    for digit in "0123456789":
        assert not d.is_valid_cpf(digit * 11)
        assert not d.is_valid_cnpj(digit * 14)


def test_cpf_normalize_format_mask():
    assert d.normalize_cpf("529.982.247-25") == "52998224725"
    assert d.format_cpf("52998224725") == "529.982.247-25"
    assert d.mask_cpf("529.982.247-25") == "***.982.247-**"
    assert d.mask_cpf("12345678909") == "***.456.789-**"
    # Leading zeros dropped by a spreadsheet come back only when asked for.
    assert d.normalize_cpf("1234567890") == "1234567890"
    assert d.normalize_cpf("1234567890", pad=True) == "01234567890"
    # Bad values are shown as typed by format, but never revealed by mask.
    assert d.format_cpf("123") == "123"
    assert "4567" not in d.mask_cpf("12345678")


def test_generated_cpfs_and_cnpjs_validate_and_vary():
    rng = random.Random(20240501)
    cpfs = [d.generate_cpf(rng) for _ in range(5000)]
    cnpjs = [d.generate_cnpj(rng) for _ in range(5000)]
    assert all(len(c) == 11 and d.is_valid_cpf(c) for c in cpfs)
    assert all(len(c) == 14 and d.is_valid_cnpj(c) for c in cnpjs)
    assert len(set(cpfs)) > 4990
    # Deterministic for a seeded generator (demo data must be reproducible).
    assert d.generate_cpf(random.Random(7)) == d.generate_cpf(random.Random(7))
    # The check digits are really computed: altering one digit breaks validity.
    broken = cpfs[0][:-1] + str((int(cpfs[0][-1]) + 1) % 10)
    assert not d.is_valid_cpf(broken)


@pytest.mark.parametrize("cnpj", ["11.222.333/0001-81", "11222333000181", "45.723.174/0001-10"])
def test_known_valid_cnpjs(cnpj):
    assert d.is_valid_cnpj(cnpj)


@pytest.mark.parametrize("cnpj", ["11.222.333/0001-80", "11.222.333/0001-18", "1122233300018", ""])
def test_invalid_cnpjs(cnpj):
    assert not d.is_valid_cnpj(cnpj)


def test_alphanumeric_cnpj_from_2026():
    # Example published by the Receita Federal for the alphanumeric CNPJ.
    assert d.is_valid_cnpj("12.ABC.345/01DE-35")
    assert not d.is_valid_cnpj("12.ABC.345/01DE-36")
    assert d.format_cnpj("12abc34501de35") == "12.ABC.345/01DE-35"


def test_cnpj_format_and_mask():
    assert d.format_cnpj("11222333000181") == "11.222.333/0001-81"
    assert d.mask_cnpj("11.222.333/0001-81") == "**.222.333/0001-**"
    assert d.generate_cnpj(random.Random(1), branch=2)[8:12] == "0002"


def test_cep():
    assert d.normalize_cep("01310-100") == "01310100"
    assert d.normalize_cep(1310100) == "01310100"  # number cell lost its leading zero
    assert d.format_cep("01310100") == "01310-100"
    assert d.is_valid_cep("01310-100")
    assert not d.is_valid_cep("00000-000")
    assert not d.is_valid_cep("1310-10")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(11) 91234-5678", "11912345678"),
        ("+55 11 91234-5678", "11912345678"),
        ("011 91234-5678", "11912345678"),
        ("0 21 11 91234-5678", "11912345678"),  # trunk + carrier code
        ("(21) 2345-6789", "2123456789"),
        ("61 3333-4444", "6133334444"),
    ],
)
def test_normalize_phone_accepts(raw, expected):
    assert d.normalize_phone(raw) == expected
    assert d.is_valid_phone(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("(20) 91234-5678", "DDD 20"),  # no such area code
        ("(11) 81234-5678", "começar com 9"),  # 11 digits must be a mobile with 9
        ("(11) 9123-4567", "nono dígito"),  # old 8-digit mobile
        ("91234-5678", "DDD"),  # missing area code
        ("", "10 ou 11"),
    ],
)
def test_normalize_phone_rejects_with_portuguese_message(raw, message):
    with pytest.raises(ValueError, match=message):
        d.normalize_phone(raw)
    assert not d.is_valid_phone(raw)


def test_phone_format_and_mask():
    assert d.format_phone("11912345678") == "(11) 91234-5678"
    assert d.format_phone("2123456789") == "(21) 2345-6789"
    assert d.mask_phone("11912345678") == "(11) *****-5678"
    assert d.mask_phone("2123456789") == "(21) ****-6789"
    assert d.format_phone("123") == "123"
    assert d.mask_phone(None) == ""


def test_mask_tail():
    assert d.mask_tail("1234567890") == "******7890"
    assert d.mask_tail("12345-6", visible=4) == "***45-6"  # punctuation kept
    assert d.mask_tail("987654321", visible=2) == "*******21"
    assert d.mask_tail("12") == "*2"  # short values are never fully shown
    assert d.mask_tail("") == ""
    assert d.mask_tail(None) == ""


def test_non_ascii_digits_and_letters_never_make_a_valid_number():
    """Full-width or superscript digits would bypass the blind index (a second record for
    the same CPF); letters mixed in must not be silently dropped."""
    from portal.core.documents import is_valid_cep, is_valid_cpf, is_valid_phone

    assert is_valid_cpf("529.982.247-25")
    assert not is_valid_cpf("５２９９８２２４７２５")
    assert not is_valid_cpf("529a982b247c25")
    assert not is_valid_cpf("52998224725²")
    assert not is_valid_cep("0131０-100") and not is_valid_cep("01310-10x0")
    assert not is_valid_phone("(11) 9８765-4321") and not is_valid_phone("(11) 98765-4321 ramal")
    assert is_valid_phone("+55 (11) 98765-4321")
