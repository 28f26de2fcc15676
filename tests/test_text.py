"""Sentence splitting and tokens: cased prose, lower-cased tokenized text, glued sentences."""

from harness.text import content_stems, split_sentences, stem, tokens


def test_cased_prose_keeps_abbreviations():
    assert split_sentences("Mr. Smith went to Washington. He said no. Then he left.") == [
        "Mr. Smith went to Washington.", "He said no.", "Then he left."]


def test_lower_cased_tokenized_text_splits_at_stops():
    text = ("kilmarnock 's manager has signed a new deal , the club said . "
            "dr. smith of the u.s. army said it was good .")
    assert split_sentences(text) == [
        "kilmarnock 's manager has signed a new deal , the club said .",
        "dr. smith of the u.s. army said it was good .",
    ]


def test_glued_sentences_split():
    text = "Police asked the Associated Press (AP).Less than a day later, the FBI agreed to help."
    assert split_sentences(text) == ["Police asked the Associated Press (AP).",
                                     "Less than a day later, the FBI agreed to help."]
    # An upper-case letter before the stop is an initialism, not a sentence end.
    assert split_sentences("He joined the U.S.Army in 1990.") == ["He joined the U.S.Army in 1990."]


def test_closing_quotes_stay_with_their_sentence():
    assert split_sentences('He said "We won." Fans cheered.') == ['He said "We won."',
                                                                 "Fans cheered."]


def test_tokens_and_stems_as_rouge_score():
    assert tokens("Kenya's 3G phones, MP3!") == ["kenya", "s", "3g", "phones", "mp3"]
    assert stem("phones") == "phone"
    assert content_stems("The phones were ringing") == ["phone", "ring"]


def test_stems_agree_with_rouge_score_tokenizer():
    # rouge-score's DefaultTokenizer(use_stemmer=True) is the reference: the
    # content-word metrics must see the words ROUGE sees. "news" and "skies"
    # tell NLTK_EXTENSIONS (what rouge-score builds) from ORIGINAL_ALGORITHM.
    from rouge_score.tokenizers import DefaultTokenizer

    text = ("News of the skies: dying phones, lying agents and generously agreed says; "
            "the sky's 3G networks were ringing in 2024.")
    reference = DefaultTokenizer(use_stemmer=True).tokenize(text)
    assert [stem(t) for t in tokens(text)] == reference
    assert stem("news") == "news" and stem("skies") == "sky" and stem("dying") == "die"


def test_short_tokens_are_not_stemmed():
    assert stem("was") == "was" and stem("has") == "has"
    assert content_stems("It was the news") == ["news"]
