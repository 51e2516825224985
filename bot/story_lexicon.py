"""Word lists that story clustering (bot/stories.py) reads: kinds of development, names too
common to tell stories apart, and Cyrillic-to-Latin letters for comparing names across
scripts.

A data table, editable by an admin who knows the news domain: each kind of development lists
word beginnings (prefixes of case-folded words, English and Russian/Ukrainian) that report it.
A prefix stands for every inflection ("strik" finds strike, strikes, striking; "удар" finds
удар, удара, ударов). Keep prefixes at least four letters long unless the word is short and
unambiguous, and remember that a prefix also finds longer words that start with it.
"""

from __future__ import annotations

# The tables are data: one entry per line would make them hard to read.
# fmt: off

# kind of development -> word beginnings that report it
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "call": (
        "call", "phone", "spoke", "speak", "convers", "telephon", "videoconf", "video link",
        "разговор", "телефон", "созвон", "розмов", "видеоконф", "видеосвяз",
    ),
    "talks": (
        "talks", "meet", "met ", "summit", "negotiat", "delegation", "council session",
        "переговор", "встреч", "саммит", "делегац", "зустріч", "перемов",
    ),
    "visit": (
        "visit", "arriv", "trip", "travel", "lands in", "landed in", "tour", "визит", "прибыл",
        "приехал", "посетил", "поездк", "прибув", "візит",
    ),
    "document": (
        "repl", "respons", "answer", "letter", "written", "propos", "draft", "document",
        "ответ", "письм", "предложен", "проект", "документ", "відповід", "пропозиц",
    ),
    "sanctions": (
        "sanction", "embargo", "ban ", "bans", "banned", "price cap", "import", "санкци",
        "эмбарго", "запрет", "санкці", "імпорт", "импорт",
    ),
    "troops": (
        "troop", "deploy", "soldier", "reinforc", "build-up", "buildup", "massed", "massing",
        "войск", "переброс", "развертыв", "подкреплен", "військ", "солдат",
    ),
    "drills": (
        "drill", "exercise", "war game", "учени", "навчан",
    ),
    "strike": (
        "strik", "attack", "shell", "missil", "bomb", "blast", "explos", "rocket", "drone",
        "airstrike", "hit ", "hits ", "barrage", "kamikaze", "удар", "атак", "обстрел", "ракет",
        "взрыв", "бомб", "беспилот", "дрон", "обстріл", "вибух", "підірв", "подрыв",
    ),
    "withdrawal": (
        "withdraw", "pull", "pullout", "pullback", "retreat", "regroup", "quit", "вывод",
        "отвод", "отступ", "покину", "вивед", "відвед", "выход", "вышл", "вывест", "вивест",
    ),
    "supply_cut": (
        "cut", "halt", "reduc", "curb", "stop", "shut", "suspend", "приостан", "прекрат",
        "снизит", "сократ", "остановк", "зупин",
    ),
    "capture": (
        "captur", "retak", "liberat", "seiz", "recaptur", "taken", "takes control",
        "took control", "freed", "освобод", "взял", "занял", "звільн", "захоп",
    ),
    "evacuation": (
        "evacu", "corridor", "эвакуац", "коридор", "евакуац",
    ),
    "expulsion": (
        "expel", "expuls", "persona non grata", "summon", "высыл", "выслан", "вызвал", "висил",
    ),
    "recognition": (
        "recogn", "annex", "independen", "referend", "признан", "присоедин", "аннекс", "визнан",
        "анекс",
    ),
    "gas": (
        "gas ", "gas.", "gas,", "pipeline", "flows", "lng", "газ", "трубопровод", "газопровод",
    ),
    "casualties": (
        "kill", "dead", "death", "injur", "wound", "casualt", "погиб", "убит", "ранен", "жертв",
        "загин", "поранен",
    ),
    "mobilisation": (
        "mobilis", "mobiliz", "reservist", "call-up", "мобилизац", "мобілізац",
    ),
    "weapons": (
        "tank", "weapon", "aid package", "military aid", "patriot", "himars", "abrams",
        "leopard", "танк", "оруж", "зброї", "зброю",
    ),
    "detention": (
        "arrest", "detain", "jail", "custody", "арест", "задерж", "затрим",
    ),
    "swap": (
        "swap", "exchang", "prisoner", "обмен", "обмін", "пленн", "полонен",
    ),
    "cyber": (
        "cyber", "hack", "ransomware", "кибер", "хакер", "кібер",
    ),
    "membership": (
        "membership", "join", "accession", "candidate status", "apply", "applied", "applic",
        "вступлен", "заявк", "членств", "вступ",
    ),
    "diplomats": (
        "embassy", "diplomat", "ambassador", "envoy", "посольств", "дипломат", "посол",
    ),
    "nuclear": (
        "nuclear", "deterren", "reactor", "ядерн", "атомн", "аэс", "аес",
    ),
    "grain": (
        "grain", "зерн", "port", "порт",
    ),
    "dam": (
        "dam ", "dam,", "dam;", "hydroelectr", "floodwater", "гэс", "гес", "дамб",
    ),
    "speech": (
        "address", "speech", "news conference", "press conference", "told reporters",
        "обращени", "выступ", "послани", "звернен",
    ),
}

# Kinds of development that are two sides of one: a headline reporting one and another
# reporting the other do not, for that, report different developments.
SIDES_OF_ONE = frozenset({
    frozenset(("capture", "withdrawal")),  # troops retake a town / the others pull out of it
})

# Names that occur in most stories of this bot's domain, and capitalised words that are
# titles or institutions rather than names: sharing one says little about whether two reports
# are about the same development. Written as in the news; bot/stories.py folds them into the
# keys it compares (catalog actors by their catalog name).
COMMON_NAMES = (
    "Russia", "Russian", "Russians", "Moscow", "Kremlin", "Russian Federation", "Ukraine",
    "Ukrainian", "Ukrainians", "Kyiv", "Kiev", "United States", "US", "USA", "Washington",
    "American", "Americans", "America", "NATO", "Nato", "European Union", "EU", "Europe",
    "European", "West", "Western", "Vladimir Putin", "Putin", "Volodymyr Zelensky", "Zelensky",
    "Zelenskyy", "Zelenskiy", "Joe Biden", "Biden", "White House", "State Department", "Россия",
    "Москва", "Кремль", "Украина", "Киев", "Київ", "Україна", "США", "Вашингтон", "НАТО",
    "Евросоюз", "ЕС", "Запад", "Путин", "Зеленский", "Зеленський", "Байден", "МИД", "President",
    "Minister", "Ministry", "Foreign", "Defence", "Defense", "Deputy", "Secretary", "General",
    "Council", "Security", "State", "Department", "Prime", "Chancellor", "Government", "Office",
    "Army", "Armed", "Forces", "Staff", "Parliament", "National", "International", "Federal",
    "Commission", "Committee", "Agency", "Service", "UN", "ООН", "Совбез", "Радбез", "МЗС",
    "Минобороны", "Міноборони", "Кабмин", "Кабмін", "ВСУ", "ЗСУ", "ГЭС", "ГЕС", "АЭС", "АЕС",
    "Sergei", "Sergey", "Dmitry", "Vladimir",
    "Alexander", "Yuri", "Yevgeny", "Valery", "Maria", "Antony", "Joe", "Jake", "Lloyd", "John",
    "Volodymyr", "Dmytro", "Andriy", "Mykhailo", "Olaf", "Emmanuel", "Jens", "Ursula", "Boris",
    "Charles", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

# Words of this bot's domain that nearly every report uses: two reports sharing them say
# little (they are left out of the content words `bot/stories.py` compares).
DOMAIN_WORDS = (
    "russia russian ukraine ukrainian kyiv kiev moscow kremlin war military forces troops "
    "president minister official officials government country countries people city region "
    "week day monday tuesday wednesday thursday friday saturday sunday first two three "
    "україна украина россия росія заявил заявив сообщил "
)

# Where a development stands, as a headline words it. Two headlines about the same actors at
# different stages ("talks open" / "talks end without progress", "to visit on Tuesday" /
# "arrives") report different developments. Word beginnings as in EVENT_KINDS; a pattern may
# span two words. ("ahead of" is not here: "Belarus hosts Russian forces ahead of war games"
# reports what happened; only the games are to come.)
PHASES: dict[str, tuple[str, ...]] = {
    "planned": (
        "to meet", "to visit", "to hold", "to speak", "to travel", "to host", "will meet",
        "will visit", "will hold", "set to", "due to", "expected to", "plans to", "on agenda",
        "встретится", "проведут", "планиру", "намерен", "зустрінеться",
    ),
    "started": (
        "begin", "began", "open", "start", "kick off", "kicks off", "get under way",
        "начал", "стартова", "открыл", "розпочал", "почал",
    ),
    "ended": (
        "ends", "ended", "end with", "conclud", "no progress", "without progress",
        "no breakthrough", "fail", "wrap up", "заверш", "закончил", "итог", "завершил",
    ),
    "delayed": (
        "delay", "postpon", "paus", "put off", "call off", "called off", "cancel", "отлож",
        "перенес", "отмен", "перенос",
    ),
}

# A headline that reports something as a consequence of, or reply to, an earlier development
# ("… after Finland refuses to pay", "Erdogan vows to block …"): the development it refers to
# is reported elsewhere, and this headline's own is a new one. (Orders are not on the list:
# "Putin orders troops back" is usually the development itself.)
REFERENCES: tuple[str, ...] = (
    "after ", "following", "in response", "in retaliation", "retaliat", "responds", "reacts",
    "condemn", "vows", "после ", "в ответ", "ответ на", "осудил", "пообещал", "після ",
    "у відповідь", "засудив", "пообіцяв", "orders", "приказал", "поручил", "наказав",
)

# Who speaks for whom (name key → the keys of their country or body, and its capital):
# "Scholz approves Leopard deliveries" brings no newcomer into a story whose other report says
# "Germany will deliver"; a newcomer is someone from a side the other report never mentions.
SPEAKS_FOR: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("putin", "lavro", "shoig", "pesko", "zakharova", "medve", "nebenzya", "patrushev"),
        ("russia", "moscow", "kremlin"),
    ),
    **dict.fromkeys(
        ("zelen", "kuleb", "yermak", "podolyak", "reznikov", "shmyhal", "umerov", "zaluzhny"),
        ("ukrai", "kyiv"),
    ),
    **dict.fromkeys(("biden", "blink", "austi", "sulli"), ("usa", "us", "unite", "washi")),
    "scholz": ("germany",), "macron": ("france",),
    **dict.fromkeys(("johnson", "truss", "sunak"), ("britain",)),
    "xi": ("china",), "lukashenko": ("belarus", "minsk"), "duda": ("poland",),
    "stoltenberg": ("nato",), "guterres": ("un",), "grossi": ("iaea",),
}

# Cyrillic letters (Russian and Ukrainian) to Latin, as English-language wires spell names.
TRANSLITERATION = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю":
    "yu", "я": "ya", "'": "", "’": "",
}
# fmt: on
