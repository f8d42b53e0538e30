"""The interface's words for one feature, in Dutch and English (merged into ``texts.words.TEXT``).

Kept in its own file so features grow apart; the same rules as ``texts/words.py`` hold.
Peers at a glance (issue 17) and the chosen peer group (issue 20): the scorecard, the ranked view,
the free period and the peer groups of the comparison page.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "peers_period_span": {
        "nl": "Periode: {first} tot en met {last} ({months} maanden).",
        "en": "Period: {first} to {last} ({months} months).",
    },
    "peers_period_help": {
        "nl": "Kies het eerste en het laatste halfjaar, samen hoogstens drie jaar. Over meer halfjaren staat een centrum alleen in beeld als het in elk van die halfjaren minstens 10 patiënten heeft.",
        "en": "Choose the first and the last half-year, together at most three years. Over several half-years a centre is shown only when it has at least 10 patients in each of them.",
    },
    "peers_group": {"nl": "Vergelijken met", "en": "Compare with"},
    "peers_group_all": {"nl": "alle centra", "en": "all centres"},
    "peers_group_umc": {"nl": "alleen umc's", "en": "university centres only"},
    "peers_group_volume": {"nl": "centra van vergelijkbare omvang", "en": "centres of similar volume"},
    "peers_group_all_rule": {
        "nl": "Vergeleken met alle centra die dit zorgpad leveren.",
        "en": "Compared with every centre that delivers this pathway.",
    },
    "peers_group_umc_rule": {
        "nl": "Vergeleken met de universitair medische centra (umc's), volgens het soort centrum in de centralijst.",
        "en": "Compared with the university medical centres, by the kind of centre in the list of centres.",
    },
    "peers_group_volume_rule": {
        "nl": "Vergeleken met de helft van de andere centra (naar boven afgerond) waarvan het aantal behandelde patiënten in dit zorgpad en deze periode het dichtst bij dat van uw centrum ligt.",
        "en": "Compared with the half of the other centres (rounded up) whose number of treated patients in this pathway and period lies nearest your centre's.",
    },
    "peers_group_too_small": {
        "nl": "Deze groep is te klein om mee te vergelijken: minder dan 3 andere centra in de groep hebben 10 of meer patiënten in deze periode. Kies een ruimere groep of een langere periode.",
        "en": "This group is too small to compare with: fewer than 3 other centres in the group have 10 or more patients in this period. Choose a wider group or a longer period.",
    },
    "peers_scorecard": {"nl": "Alle indicatoren in één oogopslag", "en": "All indicators at a glance"},
    "peers_scorecard_caption": {
        "nl": "Per indicator: de andere centra als grijze stippen, uw centrum als oranje stip; links het slechtste, rechts het beste getoonde resultaat. Elke regel is geschaald op zijn eigen waarden; de getallen staan in de tabel. Dezelfde regels als in de trechter: centra met minder dan 10 patiënten ontbreken.",
        "en": "Per indicator: the other centres as grey dots, your centre as an orange dot; the worst shown result on the left, the best on the right. Each line is scaled to its own values; the numbers are in the table. The same rules as in the funnel: centres with fewer than 10 patients are left out.",
    },
    "peers_worse": {"nl": "slechter", "en": "worse"},
    "peers_better": {"nl": "beter", "en": "better"},
    "peers_others": {"nl": "Andere centra", "en": "Other centres"},
    "peers_col_indicator": {"nl": "Indicator", "en": "Indicator"},
    "peers_col_own": {"nl": "Uw resultaat", "en": "Your result"},
    "peers_col_n": {"nl": "Uw patiënten", "en": "Your patients"},
    "peers_col_median": {"nl": "Mediaan andere centra", "en": "Median of other centres"},
    "peers_col_range": {"nl": "Spreiding andere centra", "en": "Range of other centres"},
    "peers_col_better": {"nl": "Beter dan", "en": "Better than"},
    "peers_col_verdict": {"nl": "Oordeel (trechter)", "en": "Verdict (funnel)"},
    "peers_range": {"nl": "{low} tot {high}", "en": "{low} to {high}"},
    "peers_better_than": {"nl": "{count} van {total} centra", "en": "{count} of {total} centres"},
    "peers_row_hidden": {"nl": "niet getoond: te weinig centra", "en": "not shown: too few centres"},
    "peers_row_own_hidden": {"nl": "uw centrum: minder dan 10 patiënten", "en": "your centre: fewer than 10 patients"},
    "peers_verdict_good": {"nl": "{position}; gunstig", "en": "{position}; favourable"},
    "peers_verdict_bad": {"nl": "{position}; ongunstig", "en": "{position}; unfavourable"},
    "peers_scorecard_none": {
        "nl": "Geen enkele indicator kan in deze periode met deze groep worden vergeleken.",
        "en": "No indicator can be compared with this group in this period.",
    },
    "peers_one_indicator": {"nl": "Eén indicator in detail", "en": "One indicator in detail"},
    "peers_ranked": {"nl": "Rangorde met 95%-intervallen", "en": "Ranking with 95% intervals"},
    "peers_ranked_caption": {
        "nl": "De centra van best naar slechtst, elk met een 95%-interval: de 95%-band van de trechter bij het aantal patiënten van dat centrum, rond zijn resultaat gelegd. Raakt het interval de lijn van het gemiddelde niet, dan ligt de stip in de trechter buiten de 95%-grens. De volgorde zelf zegt weinig: de intervallen overlappen meestal.",
        "en": "The centres from best to worst, each with a 95% interval: the funnel's 95% band at that centre's number of patients, placed around its result. When the interval misses the line of the average, the dot lies outside the 95% limit in the funnel. The order itself says little: the intervals mostly overlap.",
    },
    "peers_col_rank": {"nl": "Rang", "en": "Rank"},
    "peers_col_low": {"nl": "95%-interval van", "en": "95% interval from"},
    "peers_col_high": {"nl": "95%-interval tot", "en": "95% interval to"},
    "peers_funnel_axis_note": {
        "nl": "De verticale as toont de stippen en de grenzen waar de meeste stippen liggen; links daarvan lopen de grenzen verder door dan getekend.",
        "en": "The vertical axis shows the dots and the limits where most dots lie; to the left the limits run on beyond what is drawn.",
    },
    "peers_national_centre": {
        "nl": "Een landelijke rol vergelijkt alle centra anoniem: de centrumkeuze geldt hier niet en staat daarom niet in de zijbalk.",
        "en": "A national role compares every centre anonymously: the choice of centre does not apply here and is therefore not in the sidebar.",
    },
}
