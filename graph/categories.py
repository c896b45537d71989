"""The sample bank's category vocabulary, with a short description of each.

Category names are data, not code: a bank's own vocabulary loads as it is. These descriptions seed the sample
bank and give the interaction parser richer text to embed for the categories it knows; any other category is
embedded by its name.
"""

CATEGORIES: dict[str, str] = {
    "accounting": "bookkeeping, accounting, audit preparation, payroll and tax filing for a business",
    "legal_services": "commercial lawyers, contracts, disputes, compliance and regulatory legal advice",
    "it_services": "IT support, managed services, networks, computers and helpdesk for offices",
    "software_development": "custom software, web and mobile app development, system integration",
    "cybersecurity": "security audits, penetration testing, protection against hacking and ransomware",
    "marketing": "marketing campaigns, advertising, branding, social media and digital marketing",
    "recruitment": "hiring staff, recruitment agency, temporary workers and headhunting",
    "logistics": "freight, trucking, shipping, warehousing and delivery of goods",
    "commercial_construction": "building contractors, construction, renovation and extensions of premises",
    "facilities_maintenance": "maintenance, repairs, plumbing, electrical work and facility management",
    "commercial_cleaning": "office cleaning, industrial cleaning and janitorial services",
    "security_services": "security guards, alarm systems, CCTV and access control",
    "catering": "catering for events and staff canteens, food service",
    "packaging": "packaging materials, boxes, labels and packaging design",
    "printing": "commercial printing, brochures, signage and promotional material",
    "insurance_brokerage": "business insurance, liability cover, insurance broker advice",
    "energy_efficiency": "solar panels, energy audits, heating, insulation and lowering energy bills",
    "equipment_leasing": "leasing of vehicles, machinery and equipment, fleet financing",
    "industrial_machinery": "industrial machines, manufacturing equipment, tooling and spare parts",
    "raw_materials": "steel, timber, chemicals, plastics and other raw materials supply",
    "office_supplies": "office furniture, stationery and office equipment supply",
    "export_consulting": "export, import, customs, international trade and new foreign markets",
    "real_estate": "commercial property, office and warehouse space to rent or buy",
    "training": "staff training, workshops, certification courses and coaching",
}

CATEGORY_NAMES: tuple[str, ...] = tuple(CATEGORIES)
