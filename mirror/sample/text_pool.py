"""Long texts and texts in other languages, cut from fixed pools of sentences.

A patent description runs to kilobytes; drawing it word by word would dominate generation
time. Instead each (topic, language) has a pool of pre-generated sentences, built on first
use from a constant seed (so identical for every seed and process), joined into one long
text; a description is a slice of it, starting at a sentence: one draw. Other languages
(de, fr, es, ja, zh, ko) are Zipf-weighted word lists of that language: function words plus
the topic's translated terms, which is enough for per-language search to have something
to find.
"""

from __future__ import annotations

import random
from functools import lru_cache

from mirror.sample.text import Rand, filled, zipf_expand
from mirror.sample.topics import all_topics, split

_DESCRIPTION_HEADINGS = (
    "Field of the Invention",
    "Background of the Invention",
    "Summary of the Invention",
    "Brief Description of the Drawings",
    "Detailed Description",
)
# Function words of the other languages; topic words come from Topic.translations.
_FOREIGN: dict[str, str] = {
    "de": "die|der|und|das|ein|eine|mit|von|zur|für|wird|werden|Verfahren|Vorrichtung|Herstellung|"
    "Verwendung|Zusammensetzung|mindestens|umfassend|wobei|Mittel|Schicht|Einheit|Steuerung|Erfindung|"
    "betrifft|vorzugsweise|insbesondere|Oberfläche|Lösung|Größe|Träger|Behandlung|Verbindung",
    "fr": "le|la|les|de|des|et|un|une|pour|dans|avec|procédé|dispositif|composition|utilisation|"
    "fabrication|selon|comprenant|au moins|ledit|couche|unité|invention|concerne|moyen|surface|"
    "traitement|système|réalisation|préférence|élément|méthode",
    "es": "el|la|los|de|del|y|un|una|para|con|en|procedimiento|dispositivo|composición|uso|fabricación|"
    "según|que comprende|al menos|dicho|capa|unidad|invención|se refiere|medio|superficie|tratamiento|"
    "sistema|realización|elemento|método",
    "ja": "本発明|方法|装置|組成物|および|前記|少なくとも|含む|製造|使用|層|ユニット|制御|表面|処理|"
    "システム|実施形態|提供|する|こと|により|ための|特徴|構成|材料",
    "zh": "本发明|方法|装置|组合物|以及|所述|至少|包括|制备|使用|层|单元|控制|表面|处理|系统|实施例|"
    "提供|用于|其中|特征|结构|材料|一种",
    "ko": "본 발명|방법|장치|조성물|및|상기|적어도|포함하는|제조|사용|층|유닛|제어|표면|처리|시스템|"
    "실시예|제공|위한|특징|구조|재료",
}
CJK = frozenset({"ja", "zh"})


@lru_cache(maxsize=128)
def sentence_pool(topic_no: int, lang: str) -> tuple[str, ...]:
    """Sentences of one topic and language (400 in English, 120 in the others), from a
    constant seed: the same for all runs and all processes."""
    rng = random.Random(f"pool:{topic_no}:{lang}")
    rnd = rng.random
    if lang == "en":
        return tuple(filled("psentence" if n % 2 else "sentence", topic_no, rnd) for n in range(400))
    return tuple(foreign_sentence(topic_no, lang, rnd, 7 + int(rnd() * 10)) for _ in range(120))


@lru_cache(maxsize=128)
def pool_text(topic_no: int, lang: str) -> tuple[str, tuple[int, ...]]:
    """The sentence pool joined into one long text (English with section headings every
    few sentences), repeated so that any slice of up to 8,000 characters starting at a
    sentence fits; and the offsets where sentences start. Long texts are slices of it:
    one draw instead of one per sentence."""
    pool = sentence_pool(topic_no, lang)
    sep = "" if lang in CJK else " "
    parts: list[str] = []
    for n, sentence in enumerate(pool):
        if lang == "en" and n % 9 == 4:
            parts.append(_DESCRIPTION_HEADINGS[(n // 9) % len(_DESCRIPTION_HEADINGS)])
        parts.append(sentence)
    once = sep.join(parts) + sep
    starts: list[int] = []
    pos = 0
    for part in parts:
        if part not in _DESCRIPTION_HEADINGS:
            starts.append(pos)
        pos += len(part) + len(sep)
    return once * (2 + 8000 // len(once)), tuple(starts)


def text_slice(topic_no: int, lang: str, rnd: Rand, max_chars: int) -> str:
    """About ``max_chars`` of running text of a topic, starting at a sentence and cut
    after the last complete sentence."""
    body, starts = pool_text(topic_no, lang)
    start = starts[int(rnd() * len(starts))]
    piece = body[start : start + max_chars]
    end = max(piece.rfind(". "), piece.rfind("。"))
    return piece[: end + 1] if end > 0 else piece.rstrip()


def description(topic_no: int, lang: str, rnd: Rand, max_chars: int) -> str:
    """A patent description with the usual headings, truncated at ``max_chars`` with "..."
    (real bulk records carry descriptions of tens of kilobytes; the sample keeps them short)."""
    body, starts = pool_text(topic_no, lang)
    start = starts[int(rnd() * len(starts))]
    lead = "Field of the Invention " if lang == "en" else ""
    return lead + body[start : start + max_chars].rstrip() + "..."


@lru_cache(maxsize=128)
def _foreign_table(topic_no: int, lang: str) -> tuple[str, ...]:
    topic = all_topics()[topic_no]
    general = zipf_expand(split(_FOREIGN[lang]), 0.9, 6)
    own = zipf_expand(topic.translations.get(lang, ()), 0.9, 10)
    return general + own  # roughly 2 function words per topic word


def foreign_sentence(topic_no: int, lang: str, rnd: Rand, words: int) -> str:
    """A "sentence" in another language: a Zipf-weighted word list of that language."""
    table = _foreign_table(topic_no, lang)
    n = len(table)
    ws = [table[int(rnd() * n)] for _ in range(words)]
    if lang in CJK:
        return "".join(ws) + "。"
    text = " ".join(ws)
    return text[:1].upper() + text[1:] + "."


def foreign_title(topic_no: int, lang: str, rnd: Rand) -> str:
    table = _foreign_table(topic_no, lang)
    topic_words = all_topics()[topic_no].translations.get(lang, ())
    ws = [table[int(rnd() * len(table))] for _ in range(3 + int(rnd() * 4))]
    if topic_words:
        ws.insert(1, topic_words[int(rnd() * min(3, len(topic_words)))])
    if lang in CJK:
        return "".join(ws)
    text = " ".join(ws)
    return text[:1].upper() + text[1:]


def foreign_text(topic_no: int, lang: str, rnd: Rand, sentences: int) -> str:
    """Running text in another language: a slice of the topic's pool in that language."""
    return text_slice(topic_no, lang, rnd, sentences * (30 if lang in CJK else 90))


def foreign_claims(topic_no: int, lang: str, rnd: Rand, count: int) -> list[str]:
    return [text_slice(topic_no, lang, rnd, 60 if lang in CJK else 160) for _ in range(count)]
