from triage.pipeline.redact import find_personal_data, redact, restore


def test_each_kind_becomes_a_typed_placeholder() -> None:
    text = (
        "Mail me at jane.doe@example.com or call +1 (415) 555-0199. Card 4111 1111 1111 1111 was charged. "
        "I live at 221B Baker Street. SSN 123-45-6789. The scammer is @crypto_king99 from 203.0.113.7."
    )
    r = redact(text)
    for value in ("jane.doe@example.com", "555-0199", "4111 1111 1111 1111", "Baker Street", "123-45-6789",
                  "@crypto_king99", "203.0.113.7"):
        assert value not in r.text, value
    assert {"EMAIL", "PHONE", "CARD", "ADDRESS", "GOV_ID", "HANDLE", "IP"} <= r.kinds
    assert "[EMAIL_1]" in r.text and "[HANDLE_1]" in r.text


def test_numbers_that_are_not_cards_or_phones_stay() -> None:
    r = redact("Order 1234567812345678 failed; video 12345 at 10:30, 3 times in 2024.")
    assert "CARD" not in r.kinds  # fails the Luhn check
    assert "video 12345" in r.text and "2024" in r.text


def test_same_value_same_placeholder_and_restore_round_trips() -> None:
    r = redact("a@example.com wrote to b@example.com and again a@example.com")
    assert r.text.count("[EMAIL_1]") == 2 and "[EMAIL_2]" in r.text
    assert restore(r.text, r.mapping) == "a@example.com wrote to b@example.com and again a@example.com"


def test_restore_only_allowed_kinds_and_generic_words_otherwise() -> None:
    r = redact("my card 4111111111111111 and mail x@example.com")
    out = restore(r.text, r.mapping, allowed_kinds={"EMAIL"})
    assert "x@example.com" in out and "4111111111111111" not in out and "[CARD" not in out


def test_multilingual_addresses_and_ids() -> None:
    assert "ADDRESS" in redact("Ele postou meu endereço: Rua das Flores 123, São Paulo").kinds
    assert "ADDRESS" in redact("Meine Adresse Hauptstraße 5 wurde gepostet").kinds or "ADDRESS" in redact(
        "Meine Adresse Hauptstrasse 5").kinds
    assert "GOV_ID" in redact("CPF 123.456.789-09").kinds
    assert find_personal_data("nothing personal here") == []
