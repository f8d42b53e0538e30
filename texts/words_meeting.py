"""The interface's words for one feature, in Dutch and English (merged into ``texts.words.TEXT``).

Kept in its own file so features grow apart; the same rules as ``texts/words.py`` hold.
This one: the review page's meeting mode, and the review's patient table in words.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "review_mode": {"nl": "Weergave", "en": "View"},
    "review_mode_meeting": {"nl": "Vergadering", "en": "Meeting"},
    "review_mode_overview": {"nl": "Overzicht", "en": "Overview"},
    "meeting_previous": {"nl": "Vorige", "en": "Previous"},
    "meeting_next": {"nl": "Volgende", "en": "Next"},
    "meeting_position": {"nl": "{n} van {m}", "en": "{n} of {m}"},
    "meeting_agenda_position": {"nl": "Agenda · {m} punten", "en": "Agenda · {m} items"},
    "meeting_agenda_one": {"nl": "Agenda · 1 punt", "en": "Agenda · 1 item"},
    "meeting_start": {"nl": "Begin met punt 1", "en": "Start with item 1"},
    "meeting_nothing": {
        "nl": "Geen bijzondere variatie en geen lopende acties: deze maand is er niets te bespreken.",
        "en": "No special variation and no running actions: there is nothing to discuss this month.",
    },
    "meeting_for_actions": {
        "nl": "Op de agenda voor de lopende acties: de regelkaart laat geen bijzondere variatie zien.",
        "en": "On the agenda for its running actions: the chart shows no special variation.",
    },
    "meeting_patients": {"nl": "Patiënten om te bespreken", "en": "Patients to discuss"},
    "meeting_patients_none": {
        "nl": "Geen patiënten met {flag} in deze groep.",
        "en": "No patients with {flag} in this group.",
    },
    "meeting_patients_no_flag": {
        "nl": "Deze indicator wijst geen afzonderlijke patiënten aan.",
        "en": "This indicator does not point to individual patients.",
    },
    "meeting_patients_count": {
        "nl": "{n} patiënten met {flag}, behandeld in {month}",
        "en": "{n} patients with {flag}, treated in {month}",
    },
    "meeting_patients_count_one": {
        "nl": "1 patiënt met {flag}, behandeld in {month}",
        "en": "1 patient with {flag}, treated in {month}",
    },
    "meeting_actions": {"nl": "Lopende acties", "en": "Running actions"},
    "meeting_actions_none": {"nl": "Geen lopende acties op deze indicator.", "en": "No running actions on this indicator."},
    "patient_column_patient_id": {"nl": "Patiënt (pseudoniem)", "en": "Patient (pseudonym)"},
    "patient_column_episode_id": {"nl": "Behandeling (pseudoniem)", "en": "Episode (pseudonym)"},
    "patient_column_treatment": {"nl": "Behandeling", "en": "Treatment"},
    "patient_column_treatment_date": {"nl": "Behandeldatum", "en": "Treatment date"},
    "patient_column_age": {"nl": "Leeftijd", "en": "Age"},
    "patient_column_sex": {"nl": "Geslacht", "en": "Sex"},
    "patient_column_adverse_events": {"nl": "Complicaties", "en": "Complications"},
    "patient_column_has_complication": {"nl": "Complicatie", "en": "Complication"},
    "patient_column_proms_missing_n": {"nl": "Ontbrekende PROM's", "en": "Missing PROMs"},
    "patient_column_has_missing_prom": {"nl": "PROM ontbreekt", "en": "PROM missing"},
    "patient_column_prom_change": {"nl": "Verandering PROM", "en": "PROM change"},
    "patient_column_is_below_mic": {"nl": "Niet klinisch relevant verbeterd", "en": "No clinically relevant improvement"},
    "patient_column_cost_eur": {"nl": "Kosten (€)", "en": "Cost (€)"},
    "patient_column_is_cost_far_above": {"nl": "Kosten ver boven gebruikelijk", "en": "Cost far above usual"},
}
