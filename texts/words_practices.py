"""The interface's words for one feature, in Dutch and English (merged into ``texts.words.TEXT``).

Kept in its own file so features grow apart; the same rules as ``texts/words.py`` hold.
This one: learning from peers (a closed action's measured effect, sharing it, what worked
elsewhere, adopting it, and the programme's library of shared practices).
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    # what worked elsewhere (review and comparison)
    "practices_title": {"nl": "Wat werkte elders", "en": "What worked elsewhere"},
    "practices_intro": {
        "nl": "Andere centra deelden wat zij deden aan deze indicator, met het gemeten effect; de beste eerst.",
        "en": "Other centres shared what they did about this indicator, with the measured effect; the best first.",
    },
    "practices_none": {
        "nl": "Nog geen ander centrum deelde een aanpak voor deze indicator.",
        "en": "No other centre has shared a practice for this indicator yet.",
    },
    "practice_from_named": {"nl": "Van {centre}", "en": "From {centre}"},
    "practice_kind_umc": {"nl": "Van een universitair centrum", "en": "From a university centre"},
    "practice_kind_general": {"nl": "Van een algemeen ziekenhuis", "en": "From a general hospital"},
    "practice_kind_other": {"nl": "Van een ander centrum", "en": "From another centre"},
    "practice_started": {"nl": "gestart {month}", "en": "started {month}"},
    "practice_what": {"nl": "Wat zij deden: {what}", "en": "What they did: {what}"},
    "practice_expected": {"nl": "Verwacht effect: {expected}", "en": "Expected effect: {expected}"},
    "practice_result": {"nl": "Wat het opleverde volgens het team: {result}", "en": "What it did, in the team's words: {result}"},
    "practice_ask": {"nl": "Vraag het aan: {who} ({centre})", "en": "Ask: {who} ({centre})"},
    "practice_adopt": {"nl": "Overnemen als actie", "en": "Adopt as an action"},
    "practice_adopted": {
        "nl": "Overgenomen: een geplande actie in uw actielijst, startmaand {month}.",
        "en": "Adopted: a planned action in your action log, starting {month}.",
    },
    "practice_adopted_already": {"nl": "Uw team nam deze aanpak al over.", "en": "Your team has adopted this practice."},
    "practice_adoptions": {"nl": "{n} keer overgenomen", "en": "adopted {n} times"},
    # the measured effect
    "practice_effect": {
        "nl": "Gemeten: van {before} naar {after} ({change}; 95%-interval {low} tot {high}), {n_before} patiënten ervoor en {n_after} erna.",
        "en": "Measured: from {before} to {after} ({change}; 95% interval {low} to {high}), {n_before} patients before and {n_after} after.",
    },
    "practice_effect_shift": {
        "nl": "De regelkaart toont een blijvende verschuiving in de goede richting vanaf {month}.",
        "en": "The control chart shows a sustained shift in the right direction from {month}.",
    },
    "practice_effect_no_shift": {
        "nl": "De regelkaart toont (nog) geen blijvende verschuiving in de goede richting.",
        "en": "The control chart shows no sustained shift in the right direction (yet).",
    },
    "practice_points": {"nl": "{n} procentpunt", "en": "{n} percentage points"},
    "practice_verdict_improved": {"nl": "Verbeterd", "en": "Improved"},
    "practice_verdict_no_change": {"nl": "Geen aantoonbare verandering", "en": "No demonstrable change"},
    "practice_verdict_worse": {"nl": "Verslechterd", "en": "Worse"},
    "practice_claim_only": {
        "nl": "Alleen het verhaal van het team: een gemeten effect is er (nog) niet, er zijn te weinig maanden met patiënten vóór of na de start.",
        "en": "The team's own account only: there is no measured effect (yet), too few months with patients before or after the start.",
    },
    "practice_effect_withheld": {
        "nl": "Het team meldt een effect, maar de getallen worden niet gedeeld: ze rusten op minder dan {n} patiënten.",
        "en": "The team reports an effect, but the numbers are not shared: they rest on fewer than {n} patients.",
    },
    "practice_effect_method_newcomb": {
        "nl": "Verschil van percentages over de maanden voor en na de start, met het interval van Newcomb.",
        "en": "Difference of percentages over the months before and after the start, with Newcomb's interval.",
    },
    "practice_effect_method_welch": {
        "nl": "Verschil van de maandgemiddelden voor en na de start, met het interval van Welch.",
        "en": "Difference of the monthly means before and after the start, with Welch's interval.",
    },
    # sharing one's own closed action
    "action_done_effect": {"nl": "Afgerond: {what} · effect en delen", "en": "Closed: {what} · effect and sharing"},
    "practice_share_title": {"nl": "Effect en delen", "en": "Effect and sharing"},
    "practice_team_account": {
        "nl": "Verwacht: {expected}. Volgens het team: {result}",
        "en": "Expected: {expected}. In the team's words: {result}",
    },
    "practice_share_only_done": {
        "nl": "Alleen een afgeronde actie kan met andere centra gedeeld worden.",
        "en": "Only a closed action can be shared with other centres.",
    },
    "practice_share_how": {"nl": "Delen met andere centra", "en": "Share with other centres"},
    "practice_share_anonymous": {
        "nl": "Anoniem (als 'een universitair centrum' of 'een algemeen ziekenhuis')",
        "en": "Anonymously (as 'a university centre' or 'a general hospital')",
    },
    "practice_share_named": {"nl": "Met de naam van ons centrum en de trekker", "en": "With our centre's name and the lead"},
    "practice_share_what": {
        "nl": "Gedeeld worden alleen wat het team schreef en het gemeten effect (aantallen afgerond, kleine aantallen nooit); nooit patiëntgegevens. Schrijf bij anoniem delen niets dat uw centrum noemt.",
        "en": "Only what the team wrote and the measured effect are shared (counts rounded, small counts never); never patient data. When sharing anonymously, write nothing that names your centre.",
    },
    "practice_share_button": {"nl": "Delen", "en": "Share"},
    "practice_shared_named": {"nl": "Gedeeld met naam op {date}.", "en": "Shared by name on {date}."},
    "practice_shared_anonymous": {"nl": "Anoniem gedeeld op {date}.", "en": "Shared anonymously on {date}."},
    "practice_withdraw": {"nl": "Delen intrekken", "en": "Withdraw"},
    "practice_withdrawn": {
        "nl": "Ingetrokken: andere centra zien deze aanpak niet meer.",
        "en": "Withdrawn: other centres no longer see this practice.",
    },
    "practice_share_refused_not_closed": {
        "nl": "Deze actie is niet afgerond en kan niet gedeeld worden.",
        "en": "This action is not closed and cannot be shared.",
    },
    "practice_share_refused_already_shared": {
        "nl": "Deze actie is al gedeeld.",
        "en": "This action has been shared already.",
    },
    # the programme's library
    "library_title": {"nl": "Bibliotheek van gedeelde aanpakken", "en": "Library of shared practices"},
    "library_caption": {
        "nl": "Per zorgpad en indicator: wat teams deelden, het gemeten effect, hoe vaak andere teams het overnamen en wat die overnemers maten (wanneer zij hun actie op hun beurt deelden).",
        "en": "Per pathway and indicator: what teams shared, the measured effect, how often other teams adopted it and what those adopters measured (when they shared their action in turn).",
    },
    "library_none": {"nl": "Er zijn nog geen gedeelde aanpakken.", "en": "No practices have been shared yet."},
    "library_source": {"nl": "Bron", "en": "Source"},
    "library_indicator": {"nl": "Indicator", "en": "Indicator"},
    "library_what": {"nl": "Aanpak", "en": "Practice"},
    "library_effect": {"nl": "Gemeten effect", "en": "Measured effect"},
    "library_adoptions": {"nl": "Overgenomen", "en": "Adopted"},
    "library_adoptions_done": {"nl": "Waarvan afgerond", "en": "Of which closed"},
    "library_adopters_measured": {"nl": "Overnemers met gemeten effect", "en": "Adopters with a measured effect"},
    "library_adopters_improved": {"nl": "Overnemers verbeterd", "en": "Adopters improved"},
    "library_not_shared": {"nl": "niet gedeeld (kleine aantallen)", "en": "not shared (small numbers)"},
    "library_not_measured": {"nl": "niet gemeten", "en": "not measured"},
}
