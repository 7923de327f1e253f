"""The ID-number and masking rules users trust (GB 11643-1999; procuratorate.md §5)."""
import datetime as dt

import pytest

from domain.identity import (
    check_digit, is_valid_id, make_id, normalize_id, validate_id, validate_phone,
)
from domain.masking import mask_id, mask_name, mask_phone, scrub_text


@pytest.mark.parametrize("good", ["11010519491231002X", "440524188001010014", "370101190102039973"])
def test_published_test_vectors_are_valid(good):
    assert validate_id(good) == good


def test_check_digit_by_hand():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 % 11 = 2 -> 'X'
    assert check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("bad,why", [
    ("110105194912310021", "校验位"),
    ("11010519491331002X", "出生日期"),   # month 13
    ("11010519490230002X", "出生日期"),   # 30 February
    ("110105194912310", "15位"),
    ("11010519491231002", "18位"),
    ("1101051949123100AX", "格式"),
    ("", "18位"),
])
def test_bad_numbers_say_what_is_wrong(bad, why):
    with pytest.raises(ValueError, match=why):
        validate_id(bad)


def test_future_birth_date_rejected():
    idn = make_id("310120", dt.date(2030, 1, 1), 11)
    with pytest.raises(ValueError, match="出生日期"):
        validate_id(idn, today=dt.date(2026, 1, 1))


def test_lowercase_x_and_full_width_digits_are_normalised():
    assert validate_id("11010519491231002x") == "11010519491231002X"
    full = "１１０１０５１９４９１２３１００２Ｘ"
    assert normalize_id(full) == "11010519491231002X"
    assert is_valid_id(full)


def test_make_id_round_trips_for_many_dates():
    day = dt.date(1950, 1, 1)
    for i in range(0, 20000, 37):
        d = day + dt.timedelta(days=i)
        assert validate_id(make_id("310115", d, i % 1000)) is not None


@pytest.mark.parametrize("phone,ok", [("13812345678", True), ("+86 138 1234 5678", True),
                                      ("12812345678", False), ("1381234567", False), ("abc", False)])
def test_phone_rules(phone, ok):
    if ok:
        assert validate_phone(phone) == "13812345678"
    else:
        with pytest.raises(ValueError):
            validate_phone(phone)


def test_masks():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("") == ""
    assert mask_id("11010519491231002X") == "110105************"
    assert mask_id("110105491231002") == "110105*********"  # an old 15-digit number: area code only
    assert mask_id("1101") == "****"
    assert mask_phone("13812345678") == "138****5678"


def test_the_id_mask_shows_neither_birth_date_nor_sequence_nor_check_character():
    """Whatever the number, only the area code survives: two people of one district born on
    different days, of different sexes, get the same mask."""
    a, b = make_id("310112", dt.date(1950, 1, 1), 1), make_id("310112", dt.date(2007, 12, 31), 998)
    assert mask_id(a) == mask_id(b) == "310112" + "*" * 12
    assert scrub_text(a) == scrub_text(b) == mask_id(a)


def test_scrub_text_masks_ids_and_phones_inside_text():
    s = scrub_text("user 11010519491231002X called from 13812345678 about case 2024-001")
    assert "11010519491231002X" not in s and "13812345678" not in s
    assert "110105************" in s and "138****5678" in s
    assert "2024-001" in s


@pytest.mark.parametrize("text", ["ID11010519491231002X", "身份证11010519491231002x号", "no.11010519491231002X;"])
def test_scrub_text_masks_an_id_number_glued_to_letters_with_the_same_mask(text):
    """A letter before the number once let the bank-card rule keep its last four (sequence + check)."""
    s = scrub_text(text)
    assert "1002" not in s and "19491231" not in s and "110105************" in s


def test_scrub_text_masks_bank_card_numbers_but_not_short_numbers():
    s = scrub_text("账号6212264100009119243，金额12000元，案号2024")
    assert "6212264100009119243" not in s and "6212***********9243" in s
    assert "12000" in s and "2024" in s


def test_person_columns_keep_identifiers_only_hashed_and_masked():
    """The one writer's rule: a person row never holds the clear ID number or phone."""
    from queries.crypto import hash_id_number, hash_phone
    from queries.writes import person_columns, phone_columns

    cols = person_columns("欧阳娜娜", "11010519491231002X", "13812345678")
    assert cols == {"full_name": "欧阳娜娜", "name_masked": "欧***", "gender": "女",
                    "id_hash": hash_id_number("11010519491231002X"), "id_masked": "110105************",
                    "phone_hash": hash_phone("13812345678"), "phone_masked": "138****5678"}
    assert cols["id_hash"] != cols["phone_hash"] and len(cols["id_hash"]) == 64
    assert not {"11010519491231002X", "13812345678"} & set(map(str, cols.values()))
    assert person_columns("张三", "11010519491231002X", None)["phone_hash"] is None
    assert phone_columns("") == phone_columns(None) == {"phone_hash": None, "phone_masked": None}
