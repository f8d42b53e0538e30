"""The interface's words: every key in Dutch (the default) and English.

Add a key in both languages with the same ``{placeholders}``; ``tests/test_texts_complete.py``
checks that, and that every key is used somewhere (keys built from a prefix are listed there).
"""

from __future__ import annotations

from texts import words_meeting, words_peers, words_practices, words_serving

TEXT: dict[str, dict[str, str]] = {
    "language": {"nl": "Taal", "en": "Language"},
    "pathway": {"nl": "Zorgpad", "en": "Care pathway"},
    "month": {"nl": "Maand", "en": "Month"},
    "no_warehouse": {
        "nl": "Er is nog geen warehouse. Bouw de demo met `make run` of laad gegevens met `python -m warehouse load`.",
        "en": "There is no warehouse yet. Build the demo with `make run` or load data with `python -m warehouse load`.",
    },
    "no_pathways": {
        "nl": "Dit centrum heeft nog geen gegevens aangeleverd.",
        "en": "This centre has not delivered any data yet.",
    },
    "section_team": {"nl": "Zorgteam", "en": "Care team"},
    "section_data": {"nl": "Gegevens", "en": "Data"},
    # review page
    "review_title": {"nl": "Maandreview", "en": "Monthly review"},
    "review_purpose": {
        "nl": "Hoe ging het met de patiënten van {month}? Elk getal staat naast het gemiddelde van de twaalf maanden ervoor.",
        "en": "How did the patients of {month} do? Each figure stands beside the average of the twelve months before.",
    },
    "tile_volume": {"nl": "Behandelde patiënten", "en": "Patients treated"},
    "tile_response": {"nl": "PROM-respons bij de start", "en": "PROM response at baseline"},
    "tile_cost": {"nl": "Gemiddelde kosten per patiënt", "en": "Mean cost per patient"},
    "previous_12": {"nl": "gemiddelde vorige 12 maanden: {value}", "en": "mean of previous 12 months: {value}"},
    # data page
    "data_title": {"nl": "Gegevens en aanlevering", "en": "Data and deliveries"},
    "data_purpose": {
        "nl": "Voor datamanagers: wat is er geladen, welke rijen zijn afgewezen en waarom, hoe volledig zijn de gegevens en hoe snel komen ze binnen.",
        "en": "For data managers: what was loaded, which rows were rejected and why, how complete the data are and how fast they arrive.",
    },
    "load_log": {"nl": "Laadlogboek", "en": "Load log"},
    "load_log_caption": {
        "nl": "Elke geladen tabel met het aantal gelezen, geladen, afgewezen en dubbele rijen.",
        "en": "Every loaded table with the rows read, loaded, rejected and duplicated.",
    },
    "quarantine": {"nl": "Quarantaine: afgewezen rijen", "en": "Quarantine: rejected rows"},
    "quarantine_caption": {
        "nl": "Deze rijen zijn niet geladen. Verbeter ze in de bron en lever het bestand opnieuw aan.",
        "en": "These rows were not loaded. Correct them at the source and deliver the file again.",
    },
    "quarantine_empty": {"nl": "Geen afgewezen rijen voor uw centrum.", "en": "No rejected rows for your centre."},
    "completeness": {"nl": "Volledigheid per kolom", "en": "Completeness per column"},
    "completeness_caption": {
        "nl": "Percentage ingevulde waarden in de episodes van uw centrum, per zorgpad. Verplichte kolommen zijn altijd 100%.",
        "en": "Share of filled-in values in your centre's episodes, per pathway. Required columns are always 100%.",
    },
    "delay": {"nl": "Aanlevertijd", "en": "Delivery delay"},
    "delay_caption": {
        "nl": "Mediaan aantal dagen van behandeldatum tot eerste aanlevering, per behandelmaand, voor alle centra (uw centrum gemarkeerd).",
        "en": "Median days from treatment date to first delivery, per treatment month, for all centres (yours highlighted).",
    },
    "days": {"nl": "dagen", "en": "days"},
    "all_centres": {"nl": "alle centra", "en": "all centres"},
    "tab_chart": {"nl": "Grafiek", "en": "Chart"},
    "tab_table": {"nl": "Tabel", "en": "Table"},
    "download_csv": {"nl": "Download CSV", "en": "Download CSV"},
    "variation_improvement": {"nl": "verbetering", "en": "improvement"},
    "variation_concern": {"nl": "zorgpunt", "en": "concern"},
    "variation_common": {"nl": "geen bijzondere variatie", "en": "common cause variation"},
    "assurance_pass": {"nl": "haalt de norm steeds", "en": "consistently meets the target"},
    "assurance_fail": {"nl": "haalt de norm niet", "en": "consistently misses the target"},
    "assurance_hit_or_miss": {"nl": "haalt de norm soms", "en": "hits and misses the target"},
    "prefix_concern": {"nl": "Zorgpunt:", "en": "Concern:"},
    "prefix_improvement": {"nl": "Verbetering:", "en": "Improvement:"},
    "sentence_common": {
        "nl": "{label}: {value}. Dit schommelt binnen de verwachte grenzen; geen teken van een echte verandering.",
        "en": "{label}: {value}. This varies within the expected limits; no sign of a real change.",
    },
    "sentence_outside_high": {
        "nl": "{label} is {value}, boven de bovengrens van {limit}. Dit is waarschijnlijk geen toeval.",
        "en": "{label} is {value}, above the upper limit of {limit}. This is probably not chance.",
    },
    "sentence_outside_low": {
        "nl": "{label} is {value}, onder de ondergrens van {limit}. Dit is waarschijnlijk geen toeval.",
        "en": "{label} is {value}, below the lower limit of {limit}. This is probably not chance.",
    },
    "sentence_shift_high": {
        "nl": "{label} ligt al {n} maanden op rij boven het gemiddelde van {centre}. Dit wijst op een echte verandering.",
        "en": "{label} has been above its average of {centre} for {n} months in a row. This points to a real change.",
    },
    "sentence_shift_low": {
        "nl": "{label} ligt al {n} maanden op rij onder het gemiddelde van {centre}. Dit wijst op een echte verandering.",
        "en": "{label} has been below its average of {centre} for {n} months in a row. This points to a real change.",
    },
    "sentence_trend_up": {
        "nl": "{label} stijgt al {n} maanden op rij. Dit wijst op een echte verandering.",
        "en": "{label} has risen for {n} months in a row. This points to a real change.",
    },
    "sentence_trend_down": {
        "nl": "{label} daalt al {n} maanden op rij. Dit wijst op een echte verandering.",
        "en": "{label} has fallen for {n} months in a row. This points to a real change.",
    },
    "sentence_near_high": {
        "nl": "{label} ({value}) lag twee van de laatste drie maanden dicht bij de bovengrens. Mogelijk een echte verandering: houd het in de gaten.",
        "en": "{label} ({value}) was close to the upper limit in two of the last three months. Possibly a real change: keep an eye on it.",
    },
    "sentence_near_low": {
        "nl": "{label} ({value}) lag twee van de laatste drie maanden dicht bij de ondergrens. Mogelijk een echte verandering: houd het in de gaten.",
        "en": "{label} ({value}) was close to the lower limit in two of the last three months. Possibly a real change: keep an eye on it.",
    },
    "agenda": {"nl": "Agenda: wat is deze maand bijzonder?", "en": "Agenda: what stands out this month?"},
    "agenda_empty": {
        "nl": "Geen bijzondere variatie deze maand: alle indicatoren schommelen binnen de verwachte grenzen.",
        "en": "No special cause this month: every indicator varies within its expected limits.",
    },
    "indicators": {"nl": "Alle indicatoren", "en": "All indicators"},
    "open_chart": {"nl": "Regelkaart", "en": "Control chart"},
    "group_outcome": {"nl": "Uitkomsten", "en": "Outcomes"},
    "group_prom": {"nl": "Door patiënten gerapporteerde uitkomsten (PROMs)", "en": "Patient-reported outcomes (PROMs)"},
    "group_process": {"nl": "Proces", "en": "Process"},
    "group_experience": {"nl": "Ervaringen (PREMs)", "en": "Experiences (PREMs)"},
    "group_cost": {"nl": "Kosten", "en": "Costs"},
    "chart_title": {"nl": "Regelkaart: {label}", "en": "Control chart: {label}"},
    "chart_caption": {
        "nl": "Elke stip is een behandelmaand. De doorgetrokken lijn is het gemiddelde, de stippellijnen zijn de regelgrenzen: stippen daarbinnen schommelen door toeval. Oranje = zorgpunt, blauw = verbetering.",
        "en": "Each dot is a treatment month. The solid line is the average, the dotted lines are the control limits: dots inside them vary by chance. Orange = concern, blue = improvement.",
    },
    "provisional": {
        "nl": "Voorlopige grenzen: minder dan 12 maanden met gegevens.",
        "en": "Provisional limits: fewer than 12 months of data.",
    },
    "recalc_from": {
        "nl": "Grenzen opnieuw berekenen vanaf (na een bewuste verandering)",
        "en": "Recalculate limits from (after a deliberate change)",
    },
    "recalc_none": {"nl": "niet opnieuw berekenen", "en": "do not recalculate"},
    # the lines of a control chart or g-chart (their trace names)
    "legend_upper_limit": {"nl": "bovengrens", "en": "upper limit"},
    "legend_lower_limit": {"nl": "ondergrens", "en": "lower limit"},
    "legend_average": {"nl": "gemiddelde", "en": "average"},
    "legend_median": {"nl": "mediaan", "en": "median"},
    # control chart: a fixed baseline and excluded months, kept per chart (issue 16)
    "chart_settings_title": {"nl": "Grenzen vastzetten of een maand uitsluiten", "en": "Fix the limits or exclude a month"},
    "chart_settings_help": {
        "nl": "Na een stabiele periode kunt u de grenzen vastzetten: het gemiddelde en de grenzen komen dan alleen uit de basisperiode, en latere maanden worden daartegen getoetst. Een uitgesloten maand (bijvoorbeeld een registratiefout of een verbouwing) telt niet mee voor het gemiddelde en de grenzen, maar blijft zichtbaar en wordt nog getoetst. Het team ziet deze instellingen ook in het vergaderpakket.",
        "en": "After a stable period you can fix the limits: the average and the limits then come from the baseline only, and later months are judged against them. An excluded month (a recording error, a refurbishment) does not count towards the average and the limits, but stays visible and is still judged. The team sees these settings in the meeting pack too.",
    },
    "chart_settings_baseline": {
        "nl": "Basisperiode t/m (de grenzen staan daarna vast)",
        "en": "Baseline up to and including (the limits are fixed after it)",
    },
    "chart_settings_baseline_none": {"nl": "geen: grenzen over alle maanden", "en": "none: limits over all months"},
    "chart_settings_exclude": {"nl": "Maanden uitsluiten van de grenzen", "en": "Months to leave out of the limits"},
    "chart_settings_reason": {
        "nl": "Reden voor het uitsluiten (3 tot 300 tekens; nodig voor elke nieuw uitgesloten maand)",
        "en": "Reason for excluding (3 to 300 characters; needed for every newly excluded month)",
    },
    "chart_settings_save": {"nl": "Opslaan", "en": "Save"},
    "chart_settings_clear": {"nl": "Instellingen wissen", "en": "Clear the settings"},
    "chart_settings_saved": {
        "nl": "De instellingen van de regelkaart zijn opgeslagen.",
        "en": "The control chart's settings are saved.",
    },
    "chart_settings_cleared": {
        "nl": "De instellingen van de regelkaart zijn gewist.",
        "en": "The control chart's settings are cleared.",
    },
    "chart_settings_invalid": {"nl": "De instellingen zijn niet opgeslagen:", "en": "The settings were not saved:"},
    "chart_settings_error_indicator": {"nl": "Onbekende indicator.", "en": "Unknown indicator."},
    "chart_settings_error_baseline_month": {
        "nl": "Kies het einde van de basisperiode uit de maanden op de kaart.",
        "en": "Choose the end of the baseline from the months on the chart.",
    },
    "chart_settings_error_exclude_month": {
        "nl": "Kies de uitgesloten maanden uit de maanden op de kaart.",
        "en": "Choose the excluded months from the months on the chart.",
    },
    "chart_settings_error_reason_length": {
        "nl": "Geef bij elke uitgesloten maand een reden van 3 tot 300 tekens.",
        "en": "Give every excluded month a reason of 3 to 300 characters.",
    },
    "chart_settings_error_reason_text": {
        "nl": "De reden moet gewone tekst zijn, zonder stuurtekens.",
        "en": "The reason must be plain text, without control characters.",
    },
    "chart_settings_error_too_few_months": {
        "nl": "Er moeten ten minste twee maanden in de basisperiode overblijven.",
        "en": "At least two months must remain in the baseline.",
    },
    "chart_settings_baseline_line": {"nl": "Basisperiode t/m {month}", "en": "Baseline up to and including {month}"},
    "chart_settings_excluded_line": {"nl": "uitgesloten: {items}", "en": "excluded: {items}"},
    "chart_settings_marker": {"nl": "basisperiode t/m {month}", "en": "baseline up to {month}"},
    "chart_settings_excluded_hover": {"nl": "uitgesloten", "en": "excluded"},
    "previous_level": {"nl": "vorige 12 maanden: {value}", "en": "previous 12 months: {value}"},
    "patients": {"nl": "Patiënten van deze maand om te bespreken", "en": "This month's patients to discuss"},
    "patients_caption": {
        "nl": "Gepseudonimiseerde patiënten van uw eigen centrum. Klik op een kolomkop om te sorteren.",
        "en": "Pseudonymised patients of your own centre. Click a column header to sort.",
    },
    "patients_filter": {"nl": "Toon alleen patiënten met", "en": "Show only patients with"},
    "flag_complication": {"nl": "een complicatie", "en": "a complication"},
    "flag_below_mic": {"nl": "geen klinisch relevante verbetering", "en": "no clinically relevant improvement"},
    "flag_missing_prom": {"nl": "een ontbrekende PROM", "en": "a missing PROM"},
    "flag_cost": {"nl": "kosten ver boven het gebruikelijke", "en": "cost far above the usual"},
    "patients_none": {"nl": "Geen patiënten behandeld in deze maand.", "en": "No patients treated in this month."},
    "costs_title": {"nl": "Kosten per patiënt naar categorie", "en": "Cost per patient by category"},
    "cost_driver": {
        "nl": "De grootste verandering zit in {category}: {now} per patiënt deze maand tegen {before} in de twaalf maanden ervoor.",
        "en": "The biggest change is in {category}: {now} per patient this month against {before} in the twelve months before.",
    },
    "equity_title": {"nl": "Gelijke uitkomsten? Naar gezondheidsvaardigheden", "en": "Equal outcomes? By health literacy"},
    "equity_caption": {
        "nl": "Laatste twaalf maanden. Beperkte gezondheidsvaardigheden komen voor bij ongeveer een op de drie Nederlanders. Terug aan het werk: alleen patiënten die vóór de behandeling betaald werk hadden.",
        "en": "Last twelve months. About one in three Dutch adults has limited health literacy. Return to work: only patients in paid work before treatment.",
    },
    "literacy_limited": {"nl": "beperkt", "en": "limited"},
    "literacy_adequate": {"nl": "voldoende", "en": "adequate"},
    "literacy_unknown": {"nl": "onbekend", "en": "unknown"},
    "section_compare": {"nl": "Programma", "en": "Programme"},
    # comparison page
    "compare_title": {"nl": "Vergelijken", "en": "Compare"},
    "compare_funnel_purpose": {
        "nl": "Uw centrum met naam, de andere centra anoniem. Centra met minder dan 10 patiënten worden niet getoond.",
        "en": "Your centre by name, the other centres anonymously. Centres with fewer than 10 patients are not shown.",
    },
    "compare_funnel_purpose_national": {
        "nl": "Alle centra anoniem: u ziet de spreiding, niet wie wie is. Centra met minder dan 10 patiënten worden niet getoond.",
        "en": "All centres anonymous: you see the spread, not who is who. Centres with fewer than 10 patients are not shown.",
    },
    "compare_indicator": {"nl": "Indicator", "en": "Indicator"},
    "compare_period": {"nl": "Periode", "en": "Period"},
    "compare_mode": {"nl": "Weergave", "en": "View"},
    "compare_adjusted": {"nl": "gecorrigeerd voor patiëntkenmerken", "en": "adjusted for case-mix"},
    "compare_unadjusted": {"nl": "ruw (niet gecorrigeerd)", "en": "crude (unadjusted)"},
    "compare_hidden": {
        "nl": "Deze vergelijking wordt niet getoond: minder dan 3 andere centra hebben 10 of meer patiënten in deze periode.",
        "en": "This comparison is not shown: fewer than 3 other centres have 10 or more patients in this period.",
    },
    "compare_own_hidden": {
        "nl": "Uw centrum heeft minder dan 10 patiënten in deze periode: uw resultaat wordt niet getoond.",
        "en": "Your centre has fewer than 10 patients in this period: your result is not shown.",
    },
    "position_above_998": {
        "nl": "ligt boven de 99,8%-grens: dit is waarschijnlijk geen toeval",
        "en": "lies above the 99.8% limit: this is probably not chance",
    },
    "position_above_95": {
        "nl": "ligt boven de 95%-grens, maar binnen de 99,8%-grens: mogelijk toeval, houd het in de gaten",
        "en": "lies above the 95% limit but within the 99.8% limit: possibly chance, keep an eye on it",
    },
    "position_within": {
        "nl": "ligt binnen de grenzen: het verschil met het gemiddelde past bij toeval",
        "en": "lies within the limits: the difference from the average fits chance",
    },
    "position_below_95": {
        "nl": "ligt onder de 95%-grens, maar binnen de 99,8%-grens: mogelijk toeval, houd het in de gaten",
        "en": "lies below the 95% limit but within the 99.8% limit: possibly chance, keep an eye on it",
    },
    "position_below_998": {
        "nl": "ligt onder de 99,8%-grens: dit is waarschijnlijk geen toeval",
        "en": "lies below the 99.8% limit: this is probably not chance",
    },
    "compare_reading_adjusted": {
        "nl": "Uw resultaat ({value}, gecorrigeerd voor patiëntkenmerken) {position}.",
        "en": "Your result ({value}, adjusted for patient characteristics) {position}.",
    },
    "compare_reading_crude": {
        "nl": "Uw resultaat ({value}, ruw: niet gecorrigeerd) {position}.",
        "en": "Your result ({value}, crude: not adjusted) {position}.",
    },
    "compare_trend_half_year": {"nl": "Halfjaar vanaf", "en": "Half-year from"},
    "compare_good": {"nl": "Dit is gunstig.", "en": "This is favourable."},
    "compare_bad": {"nl": "Dit is ongunstig.", "en": "This is unfavourable."},
    "compare_casemix_explains": {
        "nl": "Zonder correctie leek uw resultaat af te wijken; na correctie voor patiëntkenmerken ligt het binnen de grenzen. Het verschil komt door uw patiëntenmix, niet door de zorg.",
        "en": "Unadjusted your result seemed to differ; adjusted for case-mix it lies within the limits. The difference comes from your patient mix, not from the care.",
    },
    "compare_casemix_reveals": {
        "nl": "Zonder correctie lag u binnen de 99,8%-grens; na correctie voor patiëntkenmerken ligt u erbuiten: uw patiëntenmix verklaart het verschil niet.",
        "en": "Unadjusted you were within the 99.8% limit; adjusted for case-mix you are outside it: your patient mix does not explain the difference.",
    },
    "compare_overdispersion": {
        "nl": "De centra verschillen meer dan toeval verklaart (overdispersie); de grenzen zijn daarom verbreed.",
        "en": "Centres differ more than chance explains (overdispersion); the limits have been widened.",
    },
    "compare_missing": {
        "nl": "Ontbrekende patiëntkenmerken zijn aangevuld met de mediaan en apart meegewogen: {items}.",
        "en": "Missing patient characteristics were filled with the median and weighted separately: {items}.",
    },
    "compare_funnel_caption": {
        "nl": "Elke stip is een centrum; hoe meer patiënten, hoe verder naar rechts. Gestreepte lijnen: 95%-grenzen, gestippelde lijnen: 99,8%-grenzen. Een stip buiten de trechter wijkt waarschijnlijk echt af.",
        "en": "Each dot is a centre; the more patients, the further right. Dashed lines: 95% limits, dotted lines: 99.8% limits. A dot outside the funnel probably really differs.",
    },
    "compare_patients_axis": {"nl": "aantal patiënten", "en": "number of patients"},
    "compare_trend": {"nl": "Uw gecorrigeerde resultaat per halfjaar", "en": "Your adjusted result per half-year"},
    # disclosure control of the peer views (docs/privacy.md)
    "compare_half_year": {"nl": "{half}e helft {year}", "en": "half-year {half} of {year}"},
    "compare_period_help": {
        "nl": "Centra worden alleen vergeleken over vaste, afgesloten halfjaren. Zo kan niemand uit twee periodes de cijfers van één centrum afleiden.",
        "en": "Centres are only compared over fixed, closed half-years, so nobody can derive one centre's figures from two periods.",
    },
    "compare_rounded": {
        "nl": "Aantallen van andere centra zijn afgerond op vijftallen.",
        "en": "Other centres' numbers are rounded to fives.",
    },
    "compare_trend_caption": {
        "nl": "Elk punt is uw stip in de trechter van dat halfjaar, met het gemiddelde van de getoonde centra.",
        "en": "Each point is your dot in that half-year's funnel, with the mean of the centres shown.",
    },
    "compare_all_anonymous": {"nl": "Alle centra, anoniem", "en": "All centres, anonymous"},
    "compare_pooled": {"nl": "alle centra", "en": "all centres"},
    "compare_table_centre": {"nl": "Centrum", "en": "Centre"},
    "compare_table_n": {"nl": "Patiënten", "en": "Patients"},
    "compare_table_crude": {"nl": "Ruw", "en": "Crude"},
    "compare_table_adjusted": {"nl": "Gecorrigeerd", "en": "Adjusted"},
    "compare_table_position": {"nl": "Positie", "en": "Position"},
    # funnel: one truth per dot, and shrunken estimates (issue 16)
    "compare_expected_axis": {
        "nl": "verwacht aantal patiënten met deze uitkomst (na correctie voor patiëntkenmerken)",
        "en": "expected number of patients with this outcome (adjusted for case-mix)",
    },
    "compare_funnel_caption_expected": {
        "nl": "Elke stip is een centrum, geplaatst bij het aantal gebeurtenissen dat bij zijn patiënten te verwachten was; grenzen volgens de exacte Poissonverdeling. Stippen van andere centra staan bij hun afgeronde aantal, en hun positie is daar bepaald.",
        "en": "Each dot is a centre, placed at the number of events its patients were expected to have; limits from the exact Poisson distribution. Other centres' dots sit at their rounded count, and their position is judged there.",
    },
    "compare_drawn_is_judged": {
        "nl": "De positie van andere centra is bepaald op hun afgeronde aantal, precies waar hun stip staat.",
        "en": "Other centres' positions are judged at their rounded count, exactly where their dot is drawn.",
    },
    "compare_table_shrunken": {"nl": "Gekrompen schatting", "en": "Shrunken estimate"},
    "compare_shrunken_explained": {
        "nl": "De gekrompen schatting trekt elk gecorrigeerd resultaat naar het gemiddelde, sterker naarmate een centrum minder patiënten heeft (empirisch Bayes: Poisson-gammamodel met de momentschatter van Marshall voor gebeurtenissen, random-effectsmodel van DerSimonian en Laird voor scores), zodat een klein centrum niet op toeval wordt beoordeeld.",
        "en": "The shrunken estimate pulls each adjusted result towards the mean, the more so the fewer patients a centre has (empirical Bayes: a Poisson–gamma model with Marshall's moment estimator for events, a DerSimonian–Laird random-effects model for scores), so a small centre is not judged on luck.",
    },
    # login, roles, audit, upload
    "login_title": {"nl": "Inloggen", "en": "Log in"},
    "login_purpose": {
        "nl": "Samen Leren bevat gepseudonimiseerde gegevens van patiënten. Log in om de gegevens te zien waarvoor u bevoegd bent.",
        "en": "Samen Leren holds pseudonymised patient data. Log in to see the data you are authorised for.",
    },
    "login_oidc": {"nl": "Inloggen met uw organisatie-account", "en": "Log in with your organisation account"},
    "login_unknown": {
        "nl": "U bent ingelogd, maar uw account heeft geen toegang tot Samen Leren. Vraag de beheerder om toegang.",
        "en": "You are logged in, but your account has no access to Samen Leren. Ask the administrator for access.",
    },
    "login_user": {"nl": "Gebruikersnaam", "en": "User name"},
    "login_password": {"nl": "Wachtwoord", "en": "Password"},
    "login_button": {"nl": "Inloggen", "en": "Log in"},
    "login_failed": {"nl": "Gebruikersnaam of wachtwoord klopt niet.", "en": "User name or password is wrong."},
    "login_locked": {
        "nl": "Te veel mislukte pogingen voor deze gebruikersnaam. Probeer het over 15 minuten opnieuw.",
        "en": "Too many failed attempts for this user name. Try again in 15 minutes.",
    },
    "login_unknown_identity": {
        "nl": "Geef de beheerder deze sleutel voor de toegangsconfiguratie:",
        "en": "Give the administrator this key for the access configuration:",
    },
    "entry_only": {
        "nl": "Deze pagina opent alleen via de startpagina van Samen Leren.",
        "en": "This page opens only through the Samen Leren start page.",
    },
    "demo_accounts": {"nl": "Demo-accounts", "en": "Demo accounts"},
    "demo_accounts_caption": {
        "nl": "Alleen in de demo met synthetische gegevens: log met één klik in als een van de rollen.",
        "en": "Only in the demo with synthetic data: log in with one click as one of the roles.",
    },
    "demo_account": {"nl": "Demo-account · synthetische gegevens", "en": "Demo account · synthetic data"},
    "log_out": {"nl": "Uitloggen", "en": "Log out"},
    "role_care_team": {"nl": "zorgteam", "en": "care team"},
    "role_centre_lead": {"nl": "centrumleider", "en": "centre lead"},
    "role_data_manager": {"nl": "datamanager", "en": "data manager"},
    "role_programme_lead": {"nl": "landelijk programmaleider", "en": "national programme lead"},
    "role_admin": {"nl": "beheerder", "en": "administrator"},
    "centre": {"nl": "Centrum", "en": "Centre"},
    "all_centres_choice": {"nl": "Alle centra", "en": "All centres"},
    "audit_title": {"nl": "Audittrail", "en": "Audit trail"},
    "audit_purpose": {
        "nl": "Wie heeft wanneer patiëntgegevens bekeken of geëxporteerd, en wie heeft gegevens geladen (NEN 7513).",
        "en": "Who viewed or exported patient data when, and who loaded data (NEN 7513).",
    },
    "audit_filter": {"nl": "Toon alleen", "en": "Show only"},
    "audit_chain_ok": {
        "nl": "De hashketen van de audittrail klopt: {rows} regels, geen regel gewijzigd, ingevoegd of verwijderd.",
        "en": "The audit trail's hash chain verifies: {rows} rows, none changed, inserted or removed.",
    },
    "audit_chain_broken": {
        "nl": "De hashketen van de audittrail is verbroken bij regel {line} ({reason}). Regels vanaf daar kunnen gewijzigd zijn; meld dit aan de functionaris gegevensbescherming.",
        "en": "The audit trail's hash chain breaks at line {line} ({reason}). Rows from there on may have been altered; report this to the data protection officer.",
    },
    "audit_chain_caption": {
        "nl": "Elke regel draagt de hash van de regel ervoor; controleer ook met `python -m warehouse audit-verify`. Patiënten staan er alleen als vingerafdruk (sleutel-hash) in.",
        "en": "Each row carries the hash of the row before it; check also with `python -m warehouse audit-verify`. Patients appear only as fingerprints (keyed hashes).",
    },
    "upload_title": {"nl": "Aanleveren", "en": "Upload"},
    "upload_purpose": {
        "nl": "Lever de bestanden van uw centrum aan (CSV, Parquet of Excel), of een FHIR-export van uw dossier (een zip met de NDJSON-bestanden, of .ndjson, ook .ndjson.gz). Ze gaan door dezelfde controles als bij het laden via de opdrachtregel.",
        "en": "Deliver your centre's files (CSV, Parquet or Excel), or a FHIR export of your record system (a zip of its NDJSON files, or .ndjson, also .ndjson.gz). They pass the same checks as a command-line load.",
    },
    "upload_files": {"nl": "Bestanden", "en": "Files"},
    "upload_button": {"nl": "Laden", "en": "Load"},
    "upload_progress_done": {"nl": "Klaar met laden.", "en": "Loading finished."},
    "upload_progress": {"nl": "Bezig met laden", "en": "Loading"},
    "upload_report": {"nl": "Laadrapport", "en": "Load report"},
    "upload_refused": {
        "nl": "Niet alle bestanden zijn geladen: zie de melding per bestand.",
        "en": "Not every file was loaded: see the message per file.",
    },
    "upload_quarantined": {
        "nl": "Geladen, maar sommige rijen staan in quarantaine. Verbeter ze en lever opnieuw aan.",
        "en": "Loaded, but some rows are in quarantine. Correct them and deliver again.",
    },
    "upload_done": {"nl": "Alles is geladen.", "en": "Everything was loaded."},
    # bounded inputs: the limits every delivered file is held to
    "upload_limits": {
        "nl": "Per bestand ten hoogste {file_mb} MB, {rows} rijen en {columns} kolommen; codes en pseudoniemen ten hoogste {identifier_chars} tekens, vrije tekst {text_chars}. Een zip ten hoogste {zip_members} bestanden en {unpacked_mb} MB uitgepakt. Een groter bestand wordt geweigerd en niets ervan geladen.",
        "en": "Per file at most {file_mb} MB, {rows} rows and {columns} columns; codes and pseudonyms at most {identifier_chars} characters, free text {text_chars}. A zip at most {zip_members} files and {unpacked_mb} MB unpacked. A larger file is refused and nothing of it is loaded.",
    },
    # improvement actions (PDSA)
    "actions_title": {"nl": "Verbeteracties", "en": "Improvement actions"},
    "actions_caption": {
        "nl": "Wat heeft het team besloten, wie doet het, en wat leverde het op? Plan, uitvoeren, evalueren, borgen of bijstellen.",
        "en": "What did the team decide, who does it, and what did it bring? Plan, do, study, act.",
    },
    "actions_none": {"nl": "Nog geen verbeteracties voor dit zorgpad.", "en": "No improvement actions for this pathway yet."},
    "actions_to_review": {"nl": "Lopende acties om te bespreken", "en": "Open actions to review"},
    "action_line": {
        "nl": "**{what}** ({indicator}) · {who} · sinds {start} · status: {status}. Verwacht: {effect}",
        "en": "**{what}** ({indicator}) · {who} · since {start} · status: {status}. Expected: {effect}",
    },
    "action_new": {"nl": "Nieuwe actie vastleggen", "en": "Record a new action"},
    "action_edit": {"nl": "Actie bijwerken", "en": "Update an action"},
    "action_choose": {"nl": "Welke actie?", "en": "Which action?"},
    "action_indicator": {"nl": "Indicator", "en": "Indicator"},
    "action_what": {"nl": "Wat gaat het team doen?", "en": "What will the team do?"},
    "action_who": {"nl": "Wie trekt het?", "en": "Who carries it?"},
    "action_start": {"nl": "Startmaand", "en": "Start month"},
    "action_effect": {"nl": "Welk effect verwacht u?", "en": "What effect do you expect?"},
    "action_status": {"nl": "Status", "en": "Status"},
    "action_result": {"nl": "Wat leverde het op?", "en": "What did it bring?"},
    "action_save": {"nl": "Opslaan", "en": "Save"},
    "action_saved": {"nl": "Actie {id} is opgeslagen.", "en": "Action {id} was saved."},
    "action_updated": {"nl": "Actie {id} is bijgewerkt ({n} velden).", "en": "Action {id} was updated ({n} fields)."},
    "action_unchanged": {"nl": "Er is niets veranderd.", "en": "Nothing changed."},
    "action_invalid": {"nl": "De actie is niet opgeslagen:", "en": "The action was not saved:"},
    "action_read_only": {
        "nl": "U kunt de acties lezen; alleen het zorgteam en de centrumleider leggen ze vast.",
        "en": "You can read the actions; only the care team and the centre lead record them.",
    },
    "action_history": {"nl": "Wie veranderde wat en wanneer", "en": "Who changed what, and when"},
    "action_on_chart": {"nl": "Actie: {what}", "en": "Action: {what}"},
    "actions_table": {"nl": "Alle acties", "en": "All actions"},
    # meeting pack
    "pack_section": {"nl": "Vergaderstuk", "en": "Meeting pack"},
    "pack_caption": {
        "nl": "De agenda, de indicatoren, de regelkaarten en de lopende acties in één bestand dat ook zonder internet opent.",
        "en": "The agenda, the indicators, the control charts and the open actions in one file that opens without internet.",
    },
    "pack_include_patients": {"nl": "Met de patiëntenlijst (vertrouwelijk)", "en": "With the patient list (confidential)"},
    "pack_html": {"nl": "Download als HTML", "en": "Download as HTML"},
    "pack_pdf": {"nl": "Download als PDF", "en": "Download as PDF"},
    "pack_title": {"nl": "Maandreview {centre} · {pathway} · {month}", "en": "Monthly review {centre} · {pathway} · {month}"},
    "pack_with_patients": {
        "nl": "Vertrouwelijk: dit stuk bevat gegevens van individuele patiënten. Deel het alleen binnen het eigen team.",
        "en": "Confidential: this document holds data of individual patients. Share it only within the own team.",
    },
    "pack_without_patients": {
        "nl": "Dit stuk bevat geen gegevens van individuele patiënten.",
        "en": "This document holds no data of individual patients.",
    },
    "pack_volume": {
        "nl": "Behandelde patiënten deze maand: {value} (gemiddeld {previous} per maand in de twaalf maanden ervoor).",
        "en": "Patients treated this month: {value} (on average {previous} a month in the twelve months before).",
    },
    "pack_no_open_actions": {"nl": "Geen lopende acties.", "en": "No open actions."},
    "pack_indicator": {"nl": "Indicator", "en": "Indicator"},
    "pack_value": {"nl": "Deze maand", "en": "This month"},
    "pack_previous": {"nl": "Vorige 12 maanden", "en": "Previous 12 months"},
    "pack_change": {"nl": "Verschil", "en": "Change"},
    "pack_variation": {"nl": "Wat zegt de regelkaart?", "en": "What does the chart say?"},
    "pack_charts": {"nl": "Regelkaarten (24 maanden)", "en": "Control charts (24 months)"},
    "pack_made": {"nl": "Gemaakt op {at} met Samen Leren.", "en": "Made on {at} with Samen Leren."},
    # patients like me
    "decide_title": {"nl": "Samen beslissen", "en": "Shared decision"},
    "decide_purpose": {
        "nl": "Voor het gesprek in de spreekkamer. Vul in hoe de patiënt er nu voor staat. U ziet per behandeling "
        "hoe het ging met patiënten die op deze patiënt lijken: in uw eigen centrum en in alle centra samen.",
        "en": "For the conversation in the consultation room. Fill in how the patient is doing now. For each treatment "
        "you see how patients like this one did: in your own centre and in all centres together.",
    },
    "decide_patient": {"nl": "De patiënt", "en": "The patient"},
    "decide_show": {"nl": "Toon de uitkomsten", "en": "Show the outcomes"},
    "decide_fill_in": {
        "nl": "Vul de gegevens van de patiënt in en kies **Toon de uitkomsten**.",
        "en": "Fill in the patient's details and choose **Show the outcomes**.",
    },
    "input_range": {
        "nl": "Tussen {low} en {high}; leeg = onbekend.",
        "en": "Between {low} and {high}; empty = unknown.",
    },
    "input_out_of_range": {
        "nl": "{variable} {value} kan niet: vul een waarde tussen {low} en {high} in, of laat het veld leeg als het onbekend is.",
        "en": "{variable} {value} is not possible: enter a value between {low} and {high}, or leave it empty when unknown.",
    },
    "input_not_a_choice": {
        "nl": "{variable}: kies een van de mogelijkheden, of laat het veld leeg als het onbekend is.",
        "en": "{variable}: choose one of the options, or leave it empty when unknown.",
    },
    "input_baseline": {
        "nl": "Score {instrument} nu ({low}–{high}, {better} is beter)",
        "en": "{instrument} score now ({low}–{high}, {better} is better)",
    },
    "better_higher": {"nl": "hoger", "en": "higher"},
    "better_lower": {"nl": "lager", "en": "lower"},
    "input_paid_work": {"nl": "Heeft nu betaald werk", "en": "In paid work now"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
    "option_own": {"nl": "Uw centrum", "en": "Your centre"},
    "option_all": {"nl": "Alle centra", "en": "All centres"},
    "option_score": {"nl": "Verwachte score na {followup}", "en": "Expected score after {followup}"},
    "option_score_value": {
        "nl": "{value} (8 van de 10 tussen {low} en {high})",
        "en": "{value} (8 in 10 between {low} and {high})",
    },
    "option_mic": {"nl": "Duidelijk beter", "en": "Clearly better"},
    "option_work": {"nl": "Weer aan het werk", "en": "Back at work"},
    "option_of_100": {"nl": "{n} van de 100", "en": "{n} in 100"},
    "option_similar": {"nl": "Vergelijkbare patiënten", "en": "Similar patients"},
    "option_too_few": {"nl": "te weinig gegevens", "en": "too little data"},
    "option_sentence": {
        "nl": "Van 100 patiënten zoals deze met de behandeling ‘{treatment}’ waren er na {followup} ongeveer **{n}** duidelijk beter.",
        "en": "Of 100 patients like this one with the treatment ‘{treatment}’, about **{n}** were clearly better after {followup}.",
    },
    "option_too_few_similar": {
        "nl": "Er zijn te weinig vergelijkbare patiënten met de behandeling ‘{treatment}’ om te zeggen hoe het met patiënten zoals deze ging.",
        "en": "There are too few similar patients with the treatment ‘{treatment}’ to say how patients like this one did.",
    },
    "option_less_than_1": {"nl": "minder dan 1 van de 100", "en": "less than 1 in 100"},
    "option_icons_caption": {
        "nl": "Elk poppetje is 1 van 100 patiënten zoals deze. Blauw: duidelijk beter.",
        "en": "Each figure is 1 in 100 patients like this one. Blue: clearly better.",
    },
    "warning_thin": {
        "nl": "Let op: dit rust op weinig vergelijkbare patiënten ({n}). Neem de getallen met een korrel zout.",
        "en": "Careful: this rests on few similar patients ({n}). Take the figures with a pinch of salt.",
    },
    "warning_outside": {
        "nl": "Let op: {variable} {value} ligt buiten de gegevens (meestal tussen {low} en {high}). Deze voorspelling is onzeker.",
        "en": "Careful: {variable} {value} lies outside the data (usually between {low} and {high}). This prediction is uncertain.",
    },
    "decide_details": {
        "nl": "Meer details: hoe goed zijn deze voorspellingen?",
        "en": "More details: how good are these predictions?",
    },
    "decide_details_text": {
        "nl": "De modellen zijn geschat op drie kwart van de patiënten en getest op het kwart dat ze niet kenden. "
        "Kalibratie: per tiende van de voorspellingen de gemiddelde voorspelling naast wat er echt gebeurde (dicht bij de "
        "diagonaal is goed). Onderscheidend vermogen: de c-statistiek (0,5 is gokken, 1 is perfect); voor scores de R² en "
        "het deel van de patiënten binnen het 80%-interval. Ze worden opnieuw geschat zodra er nieuwe gegevens zijn.",
        "en": "The models were fitted on three quarters of the patients and tested on the quarter they had not seen. "
        "Calibration: per tenth of the predictions, the mean prediction beside what really happened (close to the diagonal "
        "is good). Discrimination: the c-statistic (0.5 is guessing, 1 is perfect); for scores the R² and the share of "
        "patients inside the 80% interval. They are refitted whenever new data arrives.",
    },
    "validation_outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "validation_treatment": {"nl": "Behandeling", "en": "Treatment"},
    "validation_test_n": {"nl": "Getest op (patiënten)", "en": "Tested on (patients)"},
    "validation_c": {"nl": "c-statistiek", "en": "c-statistic"},
    "validation_r2": {"nl": "R²", "en": "R²"},
    "validation_coverage": {"nl": "Binnen 80%-interval", "en": "Inside 80% interval"},
    "validation_calibration": {"nl": "Kalibratie per tiende", "en": "Calibration by tenth"},
    "validation_predicted": {"nl": "Voorspeld", "en": "Predicted"},
    "validation_observed": {"nl": "Werkelijk", "en": "Observed"},
    "outcome_followup": {"nl": "Score na follow-up", "en": "Follow-up score"},
    "outcome_mic": {"nl": "Duidelijk beter", "en": "Clearly better"},
    "outcome_event": {"nl": "Complicatie of opname", "en": "Complication or admission"},
    "outcome_work": {"nl": "Weer aan het werk", "en": "Back at work"},
    # trajectory
    "trajectory_title": {"nl": "Traject van een patiënt", "en": "A patient's trajectory"},
    "trajectory_purpose": {
        "nl": "Gaat het volgens verwachting? De scores van deze patiënt naast wat we verwachten bij vergelijkbare patiënten.",
        "en": "Is it going as expected? This patient's scores beside what we expect for similar patients.",
    },
    "trajectory_episode": {"nl": "Episode (pseudoniem)", "en": "Episode (pseudonym)"},
    "trajectory_pick": {"nl": "Patiënten behandeld in {month}", "en": "Patients treated in {month}"},
    "trajectory_pick_placeholder": {"nl": "Kies een patiënt", "en": "Choose a patient"},
    "trajectory_choose": {
        "nl": "Kies een patiënt uit de lijst hierboven of uit de patiëntenlijst van de maandreview, of vul een episode-nummer in.",
        "en": "Choose a patient from the list above or from the monthly review's patient list, or fill in an episode number.",
    },
    "trajectory_unknown": {
        "nl": "Deze episode bestaat niet in uw centrum. U ziet alleen trajecten van uw eigen patiënten.",
        "en": "This episode does not exist in your centre. You only see trajectories of your own patients.",
    },
    "trajectory_caption": {
        "nl": "De band: waar 8 van de 10 vergelijkbare patiënten uitkomen. De stippen: de scores van deze patiënt. "
        "Lijnen: gebeurtenissen (complicatie, heropname).",
        "en": "The band: where 8 in 10 similar patients end up. The dots: this patient's scores. Lines: events "
        "(complication, readmission).",
    },
    "trajectory_behind": {
        "nl": "Deze patiënt blijft achter bij de verwachting op {timepoints}. Bespreek of extra zorg nodig is.",
        "en": "This patient falls behind the expectation at {timepoints}. Discuss whether extra care is needed.",
    },
    "trajectory_on_track": {"nl": "Deze patiënt gaat volgens verwachting.", "en": "This patient is on track."},
    "trajectory_no_scores": {"nl": "Nog geen vervolgscores.", "en": "No follow-up scores yet."},
    "trajectory_months": {"nl": "Maanden na de behandeling", "en": "Months after treatment"},
    "trajectory_expected": {"nl": "Verwacht", "en": "Expected"},
    "trajectory_patient": {"nl": "Deze patiënt", "en": "This patient"},
    "trajectory_open": {"nl": "Open het traject van {episode}", "en": "Open the trajectory of {episode}"},
    "patients_select": {
        "nl": "Klik op een rij om het traject van die patiënt te openen.",
        "en": "Click a row to open that patient's trajectory.",
    },
    "trajectory_table": {"nl": "Vragenlijsten", "en": "Questionnaires"},
    # adoption page
    "adoption_title": {"nl": "Adoptie", "en": "Adoption"},
    "adoption_purpose": {
        "nl": "Draait de verbetercyclus? Over de twaalf maanden tot en met {month}: is de uitkomstenset live, "
        "vullen patiënten hun vragenlijsten in, wordt samen beslissen vastgelegd, is de case-mix volledig, "
        "komen de gegevens op tijd en legt het team verbeteracties vast?",
        "en": "Is the improvement cycle running? Over the twelve months up to {month}: is the outcome set live, "
        "do patients answer their questionnaires, is shared decision making recorded, is the case-mix complete, "
        "does the data arrive on time and does the team record improvement actions?",
    },
    "adoption_lags_title": {"nl": "Waar blijft het achter?", "en": "Where does it lag?"},
    "adoption_all_on_track": {
        "nl": "Alle zorgpaden halen de streefwaarden van het programma.",
        "en": "Every pathway meets the programme's targets.",
    },
    "adoption_lag_line": {"nl": "**{centre} · {pathway}:** {items}.", "en": "**{centre} · {pathway}:** {items}."},
    "lag_not_live": {"nl": "geen gegevens aangeleverd in de laatste 3 maanden", "en": "no data delivered in the last 3 months"},
    "lag_response": {
        "nl": "PROM-respons {timepoint} {value} (doel {target})",
        "en": "PROM response {timepoint} {value} (target {target})",
    },
    "lag_sdm": {
        "nl": "samen beslissen vastgelegd bij {value} (doel {target})",
        "en": "shared decision making recorded for {value} (target {target})",
    },
    "lag_casemix": {"nl": "case-mix {value} volledig (doel {target})", "en": "case-mix {value} complete (target {target})"},
    "lag_delay": {
        "nl": "gegevens komen na {value} dagen (doel hooguit {target})",
        "en": "data arrives after {value} days (target at most {target})",
    },
    "lag_cycle": {
        "nl": "geen verbeteracties vastgelegd in de laatste {n} maanden",
        "en": "no improvement actions recorded in the last {n} months",
    },
    "adoption_lags_sorted": {
        "nl": "de grootste achterstand op de streefwaarden bovenaan",
        "en": "furthest behind the targets first",
    },
    "adoption_lags_more": {"nl": "Nog {n} die minder ver achterblijven", "en": "{n} more that lag less far"},
    "adoption_lags_count": {"nl": "{n} zorgpaden blijven ergens achter", "en": "{n} pathways lag somewhere"},
    "adoption_lags_count_one": {"nl": "1 zorgpad blijft ergens achter", "en": "1 pathway lags somewhere"},
    "headline_live": {"nl": "Uitkomstenset live", "en": "Outcome set live"},
    "headline_response": {"nl": "Respons ≥ {target} op elk meetmoment", "en": "Response ≥ {target} at every timepoint"},
    "headline_sdm": {"nl": "Samen beslissen ≥ {target} vastgelegd", "en": "Shared decision making ≥ {target} recorded"},
    "headline_cycle": {"nl": "Verbetercyclus loopt", "en": "Improvement cycle running"},
    "headline_of": {"nl": "{n} van {total}", "en": "{n} of {total}"},
    "adoption_heatmap": {"nl": "Per centrum en zorgpad", "en": "Per centre and pathway"},
    "adoption_measure": {"nl": "Toon", "en": "Show"},
    "adoption_heatmap_caption": {
        "nl": "Blauw haalt de streefwaarde, oranje niet. Een leeg vak: geen gegevens.",
        "en": "Blue meets the target, orange does not. An empty cell: no data.",
    },
    "adoption_trend_title": {"nl": "Verloop per maand", "en": "Month by month"},
    "adoption_trend_caption": {
        "nl": "De stippellijn is de streefwaarde van het programma.",
        "en": "The dotted line is the programme's target.",
    },
    "adoption_table_title": {"nl": "Alle cijfers", "en": "All figures"},
    "measure_response": {"nl": "PROM-respons (alle meetmomenten, %)", "en": "PROM response (all timepoints, %)"},
    "measure_sdm": {"nl": "Samen beslissen vastgelegd (%)", "en": "Shared decision making documented (%)"},
    "measure_casemix": {"nl": "Case-mix volledig (%)", "en": "Case-mix complete (%)"},
    "measure_delay": {"nl": "Aanlevertijd (mediaan, dagen)", "en": "Delivery delay (median, days)"},
    "measure_cycle": {"nl": "Verbeteracties vastgelegd of bijgewerkt", "en": "Improvement actions recorded or updated"},
    "adoption_live": {
        "nl": "Uitkomstenset live (aangeleverd in de laatste 3 maanden)",
        "en": "Outcome set live (delivered in the last 3 months)",
    },
    "adoption_response_tp": {"nl": "PROM-respons {timepoint} (%)", "en": "PROM response {timepoint} (%)"},
    "adoption_cycle": {"nl": "Cyclus loopt (acties laatste 3 maanden)", "en": "Cycle running (actions in last 3 months)"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    # column names in a CSV download (texts.csv_safe)
    "csv_column_month_date": {"nl": "Maand", "en": "Month"},
    "csv_column_value": {"nl": "Waarde", "en": "Value"},
    "csv_column_cases_n": {"nl": "Aantal patiënten", "en": "Patients"},
    "csv_column_centre_line": {"nl": "Gemiddelde", "en": "Centre line"},
    "csv_column_lower_limit": {"nl": "Ondergrens", "en": "Lower limit"},
    "csv_column_upper_limit": {"nl": "Bovengrens", "en": "Upper limit"},
    "csv_column_special_cause": {"nl": "Bijzondere oorzaak", "en": "Special cause"},
    "csv_column_variation": {"nl": "Variatie", "en": "Variation"},
    "csv_column_is_provisional": {"nl": "Voorlopig", "en": "Provisional"},
    "csv_column_in_limits": {"nl": "Binnen de grenzen", "en": "Within limits"},
    "csv_column_excluded_reason": {"nl": "Reden uitgesloten", "en": "Reason excluded"},
    "csv_column_episode_id": {"nl": "Patiënt (pseudoniem)", "en": "Patient (pseudonym)"},
    "csv_column_centre_name": {"nl": "Centrum", "en": "Centre"},
    "csv_column_pathway_label": {"nl": "Zorgpad", "en": "Care pathway"},
    # a tile's change against the previous twelve months, signed in words (ui.review_view.tile_delta)
    "change_higher": {"nl": "{value} hoger", "en": "{value} higher"},
    "change_lower": {"nl": "{value} lager", "en": "{value} lower"},
    "change_points": {"nl": " procentpunt", "en": " percentage points"},
    # a tile's value with its denominator, or why it has none (texts.review.tile_value)
    "tile_of": {"nl": "{value} van {n}", "en": "{value} of {n}"},
    "tile_no_patients": {"nl": "geen patiënten", "en": "no patients"},
    "tile_no_patients_note": {
        "nl": "Geen patiënten met deze meting in deze periode: er is niets te tonen.",
        "en": "No patients with this measure in this period: there is nothing to show.",
    },
    # small numbers and rare events (review page)
    "tile_denominator": {"nl": "n = {n} patiënten behandeld in {month}", "en": "n = {n} patients treated in {month}"},
    "tile_denominator_one": {"nl": "n = 1 patiënt behandeld in {month}", "en": "n = 1 patient treated in {month}"},
    "tile_cohort": {"nl": "patiënten behandeld in {month}", "en": "patients treated in {month}"},
    "review_complete_rule": {
        "nl": "Alleen volledig aangeleverde maanden staan hier: een maand telt mee zodra er een aanlevering van ná die maand is (bij alle centra samen: van elk centrum); latere maanden worden nog aangeleverd.",
        "en": "Only fully delivered months are shown: a month counts once a delivery from after that month has arrived (for all centres together: from every centre); later months are still being delivered.",
    },
    "tile_too_few_events": {
        "nl": "{events} van {n} patiënten: te weinig (minder dan {min}) om als percentage te beoordelen.",
        "en": "{events} of {n} patients: too few (fewer than {min}) to judge as a percentage.",
    },
    "tile_too_few": {
        "nl": "{n} patiënten: te weinig (minder dan {min}) om deze maand te beoordelen.",
        "en": "{n} patients: too few (fewer than {min}) to judge this month.",
    },
    "tile_rare": {
        "nl": "Zeldzame gebeurtenis: de kaart telt de patiënten tussen twee gebeurtenissen.",
        "en": "Rare event: the chart counts the patients between two events.",
    },
    "rare_title": {"nl": "{label}: patiënten tussen twee gebeurtenissen", "en": "{label}: patients between two events"},
    "rare_caption": {
        "nl": "g-kaart (qicharts2, Benneyan): elke stip is het aantal patiënten zonder de gebeurtenis tussen twee gebeurtenissen, over {years} jaar. De lijn is de mediaan, de stippellijn de bovengrens; een hoge stip is een lange periode zonder gebeurtenis. De open stip zijn de patiënten sinds de laatste.",
        "en": "g-chart (qicharts2, Benneyan): each dot is the number of patients without the event between two events, over {years} years. The line is the median, the dotted line the upper limit; a high dot is a long spell without the event. The open dot is the patients since the last one.",
    },
    "rare_open": {"nl": "sinds de laatste", "en": "since the last one"},
    "rare_y": {"nl": "patiënten ertussen", "en": "patients between"},
    "rare_sentence_none": {
        "nl": "{label}: geen enkele keer in {years} jaar ({open} patiënten); er is niets te tellen tussen gebeurtenissen.",
        "en": "{label}: not once in {years} years ({open} patients); there is nothing to count between events.",
    },
    "rare_sentence_common": {
        "nl": "{label}: tussen twee gebeurtenissen liggen gewoonlijk {median} patiënten; sinds de laatste zijn er {open} behandeld, binnen de grens van {limit}, dus geen aanwijzing voor verandering.",
        "en": "{label}: there are usually {median} patients between two events; {open} have been treated since the last one, within the limit of {limit}, so no sign of change.",
    },
    "rare_sentence_long": {
        "nl": "{label}: sinds de laatste gebeurtenis zijn {open} patiënten behandeld, meer dan de grens van {limit}; dit is waarschijnlijk geen toeval.",
        "en": "{label}: {open} patients have been treated since the last event, more than the limit of {limit}; this is unlikely to be chance.",
    },
    "rare_sentence_signal": {
        "nl": "{label}: de laatste periode tussen twee gebeurtenissen ({last} patiënten) is bijzonder ({rule}); dit is waarschijnlijk geen toeval.",
        "en": "{label}: the latest spell between two events ({last} patients) stands out ({rule}); this is unlikely to be chance.",
    },
    "grain_title": {"nl": "Over een langere periode", "en": "Over a longer period"},
    "grain_denominator": {"nl": "n = {n} patiënten in het laatste punt", "en": "n = {n} patients in the latest point"},
    "grain_choice": {"nl": "Periode per punt", "en": "Period per point"},
    "grain_quarter": {"nl": "kwartaal", "en": "quarter"},
    "grain_rolling_3": {"nl": "voortschrijdend 3 maanden", "en": "rolling 3 months"},
    "grain_rolling_12": {"nl": "voortschrijdend 12 maanden", "en": "rolling 12 months"},
    "grain_small": {
        "nl": "Deze maand telt {n} patiënten, minder dan {min}: een langere periode per punt geeft een eerlijker beeld.",
        "en": "This month has {n} patients, fewer than {min}: a longer period per point gives a fairer picture.",
    },
    "grain_rule_quarter": {
        "nl": "Per kwartaal: een verschuiving of trend telt vanaf {n} kwartalen op rij (dezelfde regels als per maand, over kwartalen).",
        "en": "Per quarter: a shift or trend counts from {n} quarters in a row (the same rules as per month, over quarters).",
    },
    "grain_rule_rolling": {
        "nl": "Voortschrijdend: opeenvolgende punten delen maanden, dus een verschuiving of trend telt pas vanaf {n} punten op rij (7 vensters die geen maand delen); de regel twee-van-drie geldt hier niet.",
        "en": "Rolling: neighbouring points share months, so a shift or trend counts only from {n} points in a row (7 windows sharing no month); the two-of-three rule does not apply.",
    },
}

# Words of later features live in their own files; a key may be defined once only.
for _part in (words_meeting.TEXT, words_peers.TEXT, words_practices.TEXT, words_serving.TEXT):
    _twice = TEXT.keys() & _part.keys()
    if _twice:
        raise ValueError(f"text keys defined twice: {sorted(_twice)}")
    TEXT.update(_part)
