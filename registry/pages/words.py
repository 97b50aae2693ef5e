"""The pages' words in English and French: interface text, and labels for the API's codes
(enum values, provinces, languages), which the API leaves to its clients to name."""

from __future__ import annotations

LANGUAGES = ("en", "fr")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "site": "Micro-credential Registry",
        "tagline": "Short, recognised training from institutions across Canada",
        "skip": "Skip to the results",
        "skip_content": "Skip to the content",
        "search": "Search",
        "search_label": "What do you want to learn?",
        "search_hint": "A skill, a job or a subject, e.g. welding, data, soins",
        "sort": "Sort by",
        "apply": "Apply filters",
        "filters": "Filters",
        "active_filters": "Active filters",
        "remove_filter": "Remove filter",
        "clear": "Clear all",
        "results": "{count} results",
        "result": "1 result",
        "no_results": "No micro-credential matches. Remove a filter or try other words.",
        "previous": "Previous page",
        "next": "Next page",
        "pagination": "Result pages",
        "recognized_only": "Only recognised credentials",
        "recognized": "Recognised",
        "recognized_by": "Recognised by",
        "delivery": "Delivery",
        "region": "Province or territory",
        "language": "Language of instruction",
        "type": "Type",
        "cost": "Cost",
        "workload": "Workload",
        "provider": "Institution",
        "hours": "{hours} h",
        "free": "Free",
        "cost_up_to": "Up to {amount}",
        "hours_range": "{low} to {high} hours",
        "hours_over": "{low} hours or more",
        "statistics": "Statistics",
        "api": "GraphQL API",
        "other_language": "Français",
        "other_language_code": "fr",
        "language_name": "English",
        "detail": "Details",
        "description": "Description",
        "outcomes": "Learning outcomes",
        "prerequisites": "Entry requirements",
        "level": "Level",
        "ects": "ECTS credits",
        "duration": "Duration",
        "weeks": "{weeks} weeks",
        "pace": "Pace",
        "languages": "Languages",
        "regions": "Offered in",
        "assessment": "Assessment",
        "quality": "Quality assurance",
        "audiences": "Designed for",
        "funding": "Public funding",
        "skills": "Skills",
        "occupations": "Occupations",
        "links": "Related credentials",
        "recognitions": "Recognitions",
        "valid": "Valid {start} to {end}",
        "valid_open": "Valid from {start}",
        "revoked": "Revoked on {date}",
        "no_recognition": "No recognition recorded.",
        "history": "History",
        "history_summary": "{count} versions; the latest:",
        "version": "Version {version}",
        "published": "Published",
        "updated": "Updated",
        "status": "Status",
        "website": "Program website",
        "identifier": "Provider's reference",
        "not_found": "No published credential has this address.",
        "back_to_search": "Back to the search",
        "stats_title": "Registry statistics",
        "stats_intro": "Published listings in the registry, counted from the public registryStatistics query.",
        "stats_total": "{count} published listings, {recognized} of them recognised.",
        "by_province": "Listings by province or territory of the institution",
        "by_delivery": "Listings by delivery mode",
        "by_provider_kind": "Listings by kind of institution",
        "by_recognition": "Recognised and not recognised",
        "per_month": "Listings published per month, last 12 months",
        "show_numbers": "Show the numbers",
        "count": "Listings",
        "month": "Month",
        "value": "Value",
        "chart_of": "Bar chart: {title}",
    },
    "fr": {
        "site": "Registre des microtitres",
        "tagline": "Des formations courtes et reconnues, offertes partout au Canada",
        "skip": "Aller aux résultats",
        "skip_content": "Aller au contenu",
        "search": "Rechercher",
        "search_label": "Que voulez-vous apprendre?",
        "search_hint": "Une compétence, un métier ou un sujet, p. ex. soudage, données, soins",
        "sort": "Trier par",
        "apply": "Appliquer les filtres",
        "filters": "Filtres",
        "active_filters": "Filtres actifs",
        "remove_filter": "Retirer le filtre",
        "clear": "Tout effacer",
        "results": "{count} résultats",
        "result": "1 résultat",
        "no_results": "Aucun microtitre ne correspond. Retirez un filtre ou essayez d'autres mots.",
        "previous": "Page précédente",
        "next": "Page suivante",
        "pagination": "Pages de résultats",
        "recognized_only": "Titres reconnus seulement",
        "recognized": "Reconnu",
        "recognized_by": "Reconnu par",
        "delivery": "Mode de prestation",
        "region": "Province ou territoire",
        "language": "Langue d'enseignement",
        "type": "Type",
        "cost": "Coût",
        "workload": "Charge de travail",
        "provider": "Établissement",
        "hours": "{hours} h",
        "free": "Gratuit",
        "cost_up_to": "Jusqu'à {amount}",
        "hours_range": "De {low} à {high} heures",
        "hours_over": "{low} heures ou plus",
        "statistics": "Statistiques",
        "api": "API GraphQL",
        "other_language": "English",
        "other_language_code": "en",
        "language_name": "Français",
        "detail": "Détails",
        "description": "Description",
        "outcomes": "Résultats d'apprentissage",
        "prerequisites": "Conditions d'admission",
        "level": "Niveau",
        "ects": "Crédits ECTS",
        "duration": "Durée",
        "weeks": "{weeks} semaines",
        "pace": "Rythme",
        "languages": "Langues",
        "regions": "Offert en",
        "assessment": "Évaluation",
        "quality": "Assurance qualité",
        "audiences": "Conçu pour",
        "funding": "Financement public",
        "skills": "Compétences",
        "occupations": "Professions",
        "links": "Titres liés",
        "recognitions": "Reconnaissances",
        "valid": "Valide du {start} au {end}",
        "valid_open": "Valide depuis le {start}",
        "revoked": "Révoquée le {date}",
        "no_recognition": "Aucune reconnaissance enregistrée.",
        "history": "Historique",
        "history_summary": "{count} versions; les plus récentes :",
        "version": "Version {version}",
        "published": "Publié",
        "updated": "Mis à jour",
        "status": "Statut",
        "website": "Site du programme",
        "identifier": "Référence de l'établissement",
        "not_found": "Aucun titre publié n'a cette adresse.",
        "back_to_search": "Retour à la recherche",
        "stats_title": "Statistiques du registre",
        "stats_intro": "Les fiches publiées du registre, comptées par la requête publique registryStatistics.",
        "stats_total": "{count} fiches publiées, dont {recognized} reconnues.",
        "by_province": "Fiches par province ou territoire de l'établissement",
        "by_delivery": "Fiches par mode de prestation",
        "by_provider_kind": "Fiches par type d'établissement",
        "by_recognition": "Reconnues et non reconnues",
        "per_month": "Fiches publiées par mois, 12 derniers mois",
        "show_numbers": "Afficher les chiffres",
        "count": "Fiches",
        "month": "Mois",
        "value": "Valeur",
        "chart_of": "Graphique à barres : {title}",
    },
}

# Labels of the API's codes: enum values, provinces and territories, languages.
CODES: dict[str, dict[str, str]] = {
    "en": {
        "ONLINE": "Online", "IN_PERSON": "In person", "HYBRID": "Hybrid",
        "SELF_PACED": "Self-paced", "SCHEDULED": "Scheduled",
        "MICRO_CREDENTIAL": "Micro-credential", "DIGITAL_BADGE": "Digital badge", "CERTIFICATE": "Certificate",
        "COURSE": "Course",
        "YOUTH": "Youth", "NEWCOMERS": "Newcomers", "INDIGENOUS_LEARNERS": "Indigenous learners", "WOMEN": "Women",
        "MID_CAREER_WORKERS": "Mid-career workers", "PERSONS_WITH_DISABILITIES": "Persons with disabilities",
        "LOW_INCOME_WORKERS": "Low-income workers",
        "ENDORSED": "Endorsed", "ACCREDITED": "Accredited", "APPROVED_FOR_FUNDING": "Approved for funding",
        "INDUSTRY_RECOGNIZED": "Industry recognised", "CREDIT_TRANSFER": "Credit transfer",
        "UNIVERSITY": "University", "COLLEGE": "College", "POLYTECHNIC": "Polytechnic",
        "INDIGENOUS_INSTITUTE": "Indigenous institute", "PRIVATE_CAREER_COLLEGE": "Private career college",
        "INDUSTRY": "Industry", "NON_PROFIT": "Non-profit", "GOVERNMENT": "Government",
        "EXAM": "Exam", "PROJECT": "Project", "PORTFOLIO": "Portfolio",
        "PRACTICAL_DEMONSTRATION": "Practical demonstration", "OBSERVATION": "Observation", "NONE": "None",
        "PART_OF": "Part of", "PREPARES_FOR": "Prepares for", "SUPERSEDES": "Replaces",
        "CREATED": "Created", "UPDATED": "Updated", "PUBLISHED": "Published", "RETIRED": "Retired",
        "RECOGNIZED": "Recognised", "RECOGNITION_REVOKED": "Recognition revoked", "NOT_RECOGNIZED": "Not recognised",
        "DRAFT": "Draft",
        "RELEVANCE": "Best match", "NEWEST": "Newest", "TITLE": "Title (A to Z)", "COST_ASC": "Cost, lowest first",
        "COST_DESC": "Cost, highest first", "WORKLOAD_ASC": "Workload, shortest first",
        "CA": "Canada", "CA-AB": "Alberta", "CA-BC": "British Columbia", "CA-MB": "Manitoba",
        "CA-NB": "New Brunswick", "CA-NL": "Newfoundland and Labrador", "CA-NS": "Nova Scotia",
        "CA-NT": "Northwest Territories", "CA-NU": "Nunavut", "CA-ON": "Ontario", "CA-PE": "Prince Edward Island",
        "CA-QC": "Quebec", "CA-SK": "Saskatchewan", "CA-YT": "Yukon",
        "en": "English", "fr": "French", "iu": "Inuktitut", "cr": "Cree", "oj": "Ojibwe", "mic": "Mi'kmaq",
        "es": "Spanish", "zh": "Chinese", "ar": "Arabic", "pa": "Punjabi", "tl": "Tagalog",
    },
    "fr": {
        "ONLINE": "En ligne", "IN_PERSON": "En personne", "HYBRID": "Hybride",
        "SELF_PACED": "À son rythme", "SCHEDULED": "Selon un horaire",
        "MICRO_CREDENTIAL": "Microtitre", "DIGITAL_BADGE": "Badge numérique", "CERTIFICATE": "Certificat",
        "COURSE": "Cours",
        "YOUTH": "Jeunes", "NEWCOMERS": "Nouveaux arrivants", "INDIGENOUS_LEARNERS": "Apprenants autochtones",
        "WOMEN": "Femmes", "MID_CAREER_WORKERS": "Travailleurs en milieu de carrière",
        "PERSONS_WITH_DISABILITIES": "Personnes en situation de handicap",
        "LOW_INCOME_WORKERS": "Travailleurs à faible revenu",
        "ENDORSED": "Appuyé", "ACCREDITED": "Agréé", "APPROVED_FOR_FUNDING": "Admissible au financement",
        "INDUSTRY_RECOGNIZED": "Reconnu par l'industrie", "CREDIT_TRANSFER": "Transfert de crédits",
        "UNIVERSITY": "Université", "COLLEGE": "Collège", "POLYTECHNIC": "École polytechnique",
        "INDIGENOUS_INSTITUTE": "Institut autochtone", "PRIVATE_CAREER_COLLEGE": "Collège privé",
        "INDUSTRY": "Industrie", "NON_PROFIT": "Organisme sans but lucratif", "GOVERNMENT": "Gouvernement",
        "EXAM": "Examen", "PROJECT": "Projet", "PORTFOLIO": "Portfolio",
        "PRACTICAL_DEMONSTRATION": "Démonstration pratique", "OBSERVATION": "Observation", "NONE": "Aucune",
        "PART_OF": "Fait partie de", "PREPARES_FOR": "Prépare à", "SUPERSEDES": "Remplace",
        "CREATED": "Créé", "UPDATED": "Mis à jour", "PUBLISHED": "Publié", "RETIRED": "Retiré",
        "RECOGNIZED": "Reconnu", "RECOGNITION_REVOKED": "Reconnaissance révoquée", "NOT_RECOGNIZED": "Non reconnu",
        "DRAFT": "Ébauche",
        "RELEVANCE": "Pertinence", "NEWEST": "Plus récents", "TITLE": "Titre (A à Z)",
        "COST_ASC": "Coût, du moins cher", "COST_DESC": "Coût, du plus cher",
        "WORKLOAD_ASC": "Charge de travail, la plus courte",
        "CA": "Canada", "CA-AB": "Alberta", "CA-BC": "Colombie-Britannique", "CA-MB": "Manitoba",
        "CA-NB": "Nouveau-Brunswick", "CA-NL": "Terre-Neuve-et-Labrador", "CA-NS": "Nouvelle-Écosse",
        "CA-NT": "Territoires du Nord-Ouest", "CA-NU": "Nunavut", "CA-ON": "Ontario",
        "CA-PE": "Île-du-Prince-Édouard", "CA-QC": "Québec", "CA-SK": "Saskatchewan", "CA-YT": "Yukon",
        "en": "anglais", "fr": "français", "iu": "inuktitut", "cr": "cri", "oj": "ojibwé", "mic": "mi'kmaq",
        "es": "espagnol", "zh": "chinois", "ar": "arabe", "pa": "pendjabi", "tl": "tagalog",
    },
}


MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}


class Words:
    """The words of one language, for the templates: ``t("results", count=3)``, ``code("ONLINE")``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "en"

    def t(self, key: str, **values) -> str:
        return TEXT[self.lang][key].format(**values)

    def code(self, value: str | None) -> str:
        """The label of an API code; a language tag's base language; else the code itself."""
        if value is None:
            return ""
        labels = CODES[self.lang]
        return labels.get(value) or labels.get(value.split("-")[0] if "-" in value and len(value) < 9 else "", value)

    def money(self, amount: float | None, currency: str | None = "CAD") -> str:
        """An amount as people of this language write it: $1,250 / 1 250 $."""
        if amount is None or amount == 0:
            return self.t("free")
        whole = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
        symbol = "$" if currency in (None, "CAD", "USD") else f" {currency}"
        if self.lang == "fr":
            return whole.replace(",", "\u202f").replace(".", ",") + f"\u00a0{symbol.strip()}"
        return f"{symbol}{whole}" if symbol == "$" else f"{whole}{symbol}"

    def month(self, value: str) -> str:
        """``2026-03`` as a short month: Mar 26 / mars 26."""
        year, month = value.split("-")
        return f"{MONTHS[self.lang][int(month) - 1]} {year[2:]}"

    def number(self, value: float) -> str:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        return text.replace(",", "\u202f").replace(".", ",") if self.lang == "fr" else text
