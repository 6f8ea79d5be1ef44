"""Words and templates for the made-up sample providers (see providers/sample_data.py).

Everything here is fiction written for demonstration: names are built to be obviously
fake, and every text reads as a plausible listing so pages and filters can be tried out.
"""

from dataclasses import dataclass

LABEL = "[SAMPLE] "
DISCLAIMER = "Sample listing for demonstration — not a real organization."
DISCLAIMER_SERVICE = "Sample service for demonstration — not a real service."

# Street names nobody would mistake for a real address.
STREETS = [
    "Example Avenue",
    "Sample Street",
    "Demo Boulevard",
    "Placeholder Road",
    "Fictional Way",
    "Mockup Lane",
    "Testing Plaza",
    "Specimen Court",
]

NAME_WORDS = [
    "Harbor",
    "Beacon",
    "Cedar",
    "Lantern",
    "Bridge",
    "Compass",
    "Haven",
    "Riverbend",
    "Northstar",
    "Willow",
    "Open Door",
    "Safe Passage",
    "New Dawn",
    "Keystone",
    "Summit",
    "Evergreen",
    "Mosaic",
    "Unity",
    "Horizon",
    "Pathways",
    "Anchor",
    "Lighthouse",
    "Kindred",
    "Meadow",
    "Juniper",
    "Sunrise",
    "Tidewater",
    "Granite",
    "Hearth",
    "Cornerstone",
]


@dataclass(frozen=True)
class ServiceTemplate:
    name: str
    types: tuple[str, ...]
    description: str
    fee_ok: bool = False  # whether a sample fee is plausible for this kind of service


@dataclass(frozen=True)
class Archetype:
    nouns: tuple[str, ...]
    services: tuple[ServiceTemplate, ...]
    victimizations: tuple[str, ...]
    populations: tuple[str, ...]
    weight: int


ARCHETYPES: dict[str, Archetype] = {
    "legal": Archetype(
        nouns=("Legal Aid", "Justice Project", "Law Center", "Legal Services"),
        services=(
            ServiceTemplate(
                "Protection order clinic",
                ("legal-assistance", "victim-advocacy"),
                "Help asking the court for a protection order, and a lawyer or advocate at "
                "the hearing.",
            ),
            ServiceTemplate(
                "Immigration relief for survivors",
                ("immigration-services", "legal-assistance"),
                "Free consultations on T visas, U visas, VAWA self-petitions and asylum for "
                "survivors of trafficking and other crimes.",
            ),
            ServiceTemplate(
                "Criminal record relief",
                ("legal-assistance",),
                "Help clearing or sealing records for convictions that happened because "
                "someone was trafficked.",
                fee_ok=True,
            ),
            ServiceTemplate(
                "Victim compensation claims",
                ("financial-assistance", "legal-assistance"),
                "Help filling in a crime victim compensation claim for medical bills, lost "
                "wages, counseling and relocation costs.",
            ),
        ),
        victimizations=("labor-trafficking", "sex-trafficking", "domestic-violence", "other-crime"),
        populations=("adults", "immigrants", "women", "families"),
        weight=5,
    ),
    "shelter": Archetype(
        nouns=("Safe House", "Shelter", "House", "Housing Network"),
        services=(
            ServiceTemplate(
                "Emergency shelter",
                ("food-shelter-housing",),
                "A safe place to stay tonight for survivors and their children, with meals "
                "and an advocate on site.",
            ),
            ServiceTemplate(
                "Transitional housing",
                ("food-shelter-housing", "case-management"),
                "Apartments for up to 24 months while you rebuild, with a case manager.",
            ),
            ServiceTemplate(
                "Food pantry",
                ("food-shelter-housing",),
                "Groceries, hygiene kits and baby supplies; no questions asked.",
            ),
            ServiceTemplate(
                "Safety planning",
                ("victim-advocacy",),
                "Plan how to stay safer at home, at work and online, with someone who listens.",
            ),
        ),
        victimizations=("domestic-violence", "sex-trafficking", "sexual-assault"),
        populations=("women", "families", "youth-minors", "lgbtq"),
        weight=4,
    ),
    "advocacy": Archetype(
        nouns=("Advocacy Center", "Survivor Network", "Crisis Center", "Victim Services"),
        services=(
            ServiceTemplate(
                "Crisis advocacy",
                ("victim-advocacy",),
                "Someone on your side right after a crime: options, rights and next steps.",
            ),
            ServiceTemplate(
                "Court and hospital accompaniment",
                ("victim-advocacy",),
                "An advocate goes with you to the police, the hospital or court.",
            ),
            ServiceTemplate(
                "Support groups",
                ("counseling-support-groups",),
                "Weekly peer groups led by trained facilitators, in person and online.",
            ),
            ServiceTemplate(
                "Emergency assistance fund",
                ("financial-assistance",),
                "Small grants for rent, utilities, phones and transport after a crime.",
            ),
        ),
        victimizations=(
            "sexual-assault",
            "domestic-violence",
            "child-abuse-exploitation",
            "other-crime",
        ),
        populations=("adults", "youth-minors", "older-adults", "people-with-disabilities", "men"),
        weight=5,
    ),
    "health": Archetype(
        nouns=("Health Clinic", "Wellness Center", "Community Health", "Care Collective"),
        services=(
            ServiceTemplate(
                "Trauma-informed primary care",
                ("medical-dental-care",),
                "Check-ups, testing and follow-up care from staff trained to work with survivors.",
                fee_ok=True,
            ),
            ServiceTemplate(
                "Dental care",
                ("medical-dental-care",),
                "Urgent and routine dental care, including repair of injuries.",
                fee_ok=True,
            ),
            ServiceTemplate(
                "Counseling",
                ("counseling-support-groups",),
                "Individual and family counseling with licensed therapists.",
                fee_ok=True,
            ),
            ServiceTemplate(
                "Recovery support",
                ("substance-abuse-treatment", "counseling-support-groups"),
                "Outpatient treatment and peer recovery coaching for substance use.",
            ),
        ),
        victimizations=("sex-trafficking", "sexual-assault", "other-crime"),
        populations=("adults", "lgbtq", "people-with-disabilities", "older-adults"),
        weight=3,
    ),
    "trafficking": Archetype(
        nouns=("Anti-Trafficking Coalition", "Freedom Project", "Survivor Alliance"),
        services=(
            ServiceTemplate(
                "Comprehensive case management",
                ("case-management", "victim-advocacy"),
                "One case manager who helps with housing, health, legal and immigration "
                "needs, for as long as it takes.",
            ),
            ServiceTemplate(
                "Immigration support",
                ("immigration-services",),
                "Help with certification letters, continued presence and referrals to "
                "immigration lawyers.",
            ),
            ServiceTemplate(
                "Interpretation for survivors",
                ("interpretation-translation",),
                "Trained interpreters for appointments, interviews and court.",
            ),
            ServiceTemplate(
                "Job readiness",
                ("employment-training",),
                "Résumés, interview practice and paid internships with partner employers.",
            ),
        ),
        victimizations=("labor-trafficking", "sex-trafficking"),
        populations=("adults", "youth-minors", "immigrants", "men", "women"),
        weight=3,
    ),
    "community": Archetype(
        nouns=("Community Services", "Neighborhood Center", "Family Center", "Resource Hub"),
        services=(
            ServiceTemplate(
                "Interpretation and translation",
                ("interpretation-translation",),
                "Free interpreters by phone or in person, and translation of documents.",
            ),
            ServiceTemplate(
                "Job training",
                ("employment-training",),
                "Short courses, certificates and placement help.",
            ),
            ServiceTemplate(
                "Case management",
                ("case-management",),
                "Help finding and keeping benefits, housing and childcare.",
            ),
            ServiceTemplate(
                "Family support",
                ("counseling-support-groups", "financial-assistance"),
                "Parenting groups, diapers and formula, and help with emergency bills.",
            ),
        ),
        victimizations=("other-crime", "domestic-violence", "child-abuse-exploitation"),
        populations=("families", "immigrants", "youth-minors", "older-adults"),
        weight=3,
    ),
}

# Remote-only programmes: (name, service name, types, area kind).
REMOTE_PROGRAMS = [
    ("National Survivor Text Line", "Text and chat support", ("victim-advocacy",), "nationwide"),
    ("National Legal Help Line", "Legal advice by phone", ("legal-assistance",), "nationwide"),
    (
        "Online Counseling Collective",
        "Video counseling",
        ("counseling-support-groups",),
        "nationwide",
    ),
    (
        "Interpreter Access Line",
        "Phone interpreting",
        ("interpretation-translation",),
        "nationwide",
    ),
    ("Tribal Nations Helpline", "Culturally grounded support", ("victim-advocacy",), "nationwide"),
    ("Regional Housing Hotline", "Shelter placement line", ("food-shelter-housing",), "states"),
    (
        "Statewide Legal Hotline",
        "Legal advice by phone",
        ("legal-assistance", "immigration-services"),
        "states",
    ),
    (
        "Workers' Rights Line",
        "Wage theft and labor abuse help",
        ("legal-assistance", "employment-training"),
        "states",
    ),
    (
        "Recovery Warmline",
        "Peer recovery support by phone",
        ("substance-abuse-treatment",),
        "states",
    ),
    (
        "Metro Crisis Line",
        "24-hour crisis line",
        ("victim-advocacy", "counseling-support-groups"),
        "radius",
    ),
    (
        "Rural Outreach Program",
        "Mobile advocates",
        ("victim-advocacy", "case-management"),
        "radius",
    ),
    ("Telehealth for Survivors", "Telehealth visits", ("medical-dental-care",), "radius"),
]

REGIONS = [
    ["NY", "NJ", "CT"],
    ["CA", "NV", "AZ"],
    ["TX", "OK", "NM"],
    ["FL", "GA", "AL"],
    ["WA", "OR", "ID"],
    ["IL", "IN", "WI"],
    ["MA", "RI", "NH", "VT", "ME"],
    ["PR"],
    ["AK"],
    ["HI"],
]

ELIGIBILITY = [
    "Anyone 18 or older who has experienced a crime, whenever it happened. No ID or police "
    "report needed.",
    "Survivors of trafficking of any age, gender or immigration status.",
    "Residents of the county and neighbouring counties. Immigration status is never asked.",
    "Adults and families with children; young people 16-17 with a guardian's consent or an "
    "advocate's referral.",
    "Anyone affected by domestic or sexual violence, including friends and family members.",
    "Low-income households (up to 250 % of the poverty line); exceptions for emergencies.",
    "Women and their children; trans and non-binary people are welcome.",
    "Young people aged 12-24.",
]

HOW_TO = [
    "Call during opening hours; an advocate answers and books a first appointment, usually "
    "within a week.",
    "Walk in during opening hours or call ahead. Bring any papers you have, but you can come "
    "without them.",
    "Text or call the number below. If it is not safe to talk, say so and we will text instead.",
    "Fill in the short intake form on the website or ask any partner agency to refer you.",
    "Call the 24-hour line. For a bed tonight, call before 9 pm if you can.",
    "Ask for an interpreter when you call; there is no cost and no need to bring your own.",
]

HOW_TO_CONFIDENTIAL = (
    "Call the 24-hour line first: the address is confidential and is shared only once a place "
    "is confirmed. Staff can arrange safe transport."
)

CITY_LANGUAGES = {
    "New York": ["zh", "ko", "ru", "ht", "ar", "fr", "bn"],
    "Brooklyn": ["ru", "ht", "zh", "ar"],
    "The Bronx": ["fr", "ar", "bn"],
    "Los Angeles": ["ko", "zh", "tl", "vi", "hy"],
    "San Francisco": ["zh", "tl", "vi", "ru"],
    "Oakland": ["zh", "vi", "ar"],
    "San Jose": ["vi", "zh", "tl"],
    "Houston": ["vi", "zh", "ar", "fr"],
    "Miami": ["ht", "fr", "pt"],
    "Boston": ["ht", "pt", "zh", "vi"],
    "Detroit": ["ar"],
    "Seattle": ["zh", "vi", "ko", "so"],
    "Honolulu": ["tl", "ko", "ja", "zh"],
    "Minneapolis": ["so", "hmn"],
    "Chicago": ["pl", "ar", "ko", "zh"],
    "Anchorage": ["tl", "ko", "ru"],
}
OTHER_LANGUAGES = ["zh", "vi", "ko", "ar", "ht", "tl", "ru", "fr"]

# Spanish for the texts above, as an editor would enter them (Service.translations), so the
# sample listings show provider text in a second language (docs/languages.md).
SPANISH = {
    ELIGIBILITY[0]: "Cualquier persona de 18 años o más que haya sufrido un delito, sin importar "
    "cuándo ocurrió. No se necesita identificación ni denuncia policial.",
    ELIGIBILITY[1]: "Sobrevivientes de trata de cualquier edad, género o situación migratoria.",
    ELIGIBILITY[2]: "Residentes del condado y de los condados vecinos. Nunca se pregunta por la "
    "situación migratoria.",
    ELIGIBILITY[3]: "Adultos y familias con hijos; jóvenes de 16 a 17 años con el consentimiento "
    "de un tutor o la remisión de un intercesor.",
    ELIGIBILITY[4]: "Cualquier persona afectada por violencia doméstica o sexual, incluidos "
    "amigos y familiares.",
    ELIGIBILITY[5]: "Hogares de bajos ingresos (hasta el 250 % del nivel de pobreza); "
    "excepciones en emergencias.",
    ELIGIBILITY[6]: "Mujeres y sus hijos; las personas trans y no binarias son bienvenidas.",
    ELIGIBILITY[7]: "Jóvenes de 12 a 24 años.",
    HOW_TO[0]: "Llame en horario de atención; un intercesor contesta y le da una primera cita, "
    "por lo general en menos de una semana.",
    HOW_TO[1]: "Venga sin cita en horario de atención o llame antes. Traiga los papeles que "
    "tenga, pero puede venir sin ellos.",
    HOW_TO[2]: "Envíe un mensaje de texto o llame al número de abajo. Si no es seguro hablar, "
    "díganoslo y le escribiremos.",
    HOW_TO[3]: "Llene el breve formulario de admisión en el sitio web o pida a cualquier "
    "agencia asociada que le remita.",
    HOW_TO[4]: "Llame a la línea de 24 horas. Para una cama esta noche, llame antes de las 9 "
    "p. m. si puede.",
    HOW_TO[5]: "Pida un intérprete cuando llame; no tiene costo y no necesita traer el suyo.",
    HOW_TO_CONFIDENTIAL: "Llame primero a la línea de 24 horas: la dirección es confidencial y "
    "solo se comparte cuando se confirma un lugar. El personal puede organizar un transporte "
    "seguro.",
}
