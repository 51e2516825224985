"""A bilingual news lexicon for story clustering (bot/stories.py): words of this bot's domain,
English and Russian/Ukrainian, folded into language-neutral concept ids, and the names of
places, people and bodies whose spellings differ across languages and wires.

Two reports of one development word it differently ("troops pull back" / "forces withdraw" /
"войска отведены"): comparing concept ids instead of word stems lets paraphrases and
translations share evidence. A data table, editable by an admin who knows the news domain.

CONCEPTS: concept id -> space-separated patterns, matched on case-folded words (ё read as е):
- `word*` is a word beginning: every word that starts with it ("withdraw*" finds withdraws,
  withdrawal; "отвод*" finds отвода, отводе);
- `word` without a star is that word only (short words that begin many others: "gas", "war");
- `pull*+back` is a phrase of consecutive words, each part a beginning or a whole word.
Keep beginnings at least four letters long unless the word is short and unambiguous, and
remember that a beginning also finds longer words that start with it ("газ*" would find
газета). A word matched by a longer pattern takes that pattern's concept.

NAMES: canonical name key -> spellings (the same pattern syntax), for places (Kyiv, Kiev,
Київ, Киев), people whose names transliterate differently (Macron, Макрон), and bodies known
by acronyms that differ by language (DPR, ДНР). A word found here counts as that name, and
as a name that is not common unless one of its spellings is in story_lexicon.COMMON_NAMES.
"""

from __future__ import annotations

# The tables are data: one entry per line would make them hard to read.
# fmt: off

CONCEPTS: dict[str, str] = {
    # -- forces and fighting ------------------------------------------------------------------
    "troops": "troop* soldier* servicem* servicew* fighters personnel battalion* brigade* "
              "regiment* войск* военнослужащ* солдат* бойц* батальон* бригад* полк "
              "полка полков військов* військ* вояк*",
    "withdraw": "withdr* quit quits quitting pull*+out+of pullback* pullout* pull*+back "
                "suspend*+participation suspend*+its+participation приостанов*+участи* "
                "призупин*+участ* "
                "вывест* вивест* "
                "pull*+out retreat* regroup* redeploy* "
                "evacuate+troops вывод* вывел* выведен* отвод* отвел* отведен* отступ* "
                "перегруппир* вивед* вивів відвед* відвел* відступ* перегрупу*",
    "capture": "seiz* captur* recaptur* retak* overrun* occupied* occupation* захват* захвач* "
               "захопи* захопл* занял* занят* окупова* оккупир* оккупац* окупац*",
    "liberate": "liberat* freed освобод* освобожд* звільн* деокуп*",
    "advance": "advanc* offensive* counteroffensive* counter-offensive* push*+into "
               "push*+toward* push*+deeper "
               "наступ* контрнаступ* продвиж* прорыв* просув* прорив*",
    "encircle": "encircl* surround* trapped блокад* окруж* оточ* котел котл*",
    "surrender": "surrender* капитул* сдал* сдались сдач* здал* здач* полон*",
    "invasion": "invad* invasion* incursion* вторжен* вторгл* вторгн* вторгну* вторгся "
                "вторгнен* вторгнення вторгл*",
    "war": "war wars wartime warfare войн* війн* военн* спецопер* special+military+operation",
    "strike": "strik* airstrik* attack* bombard* bomb* shell* barrage* salvo* hit hits "
              "удар* атак* обстрел* обстріл* бомб* артобстрел* артилер* артиллер* "
              "авиаудар* авіаудар* авианал* обстреля* обстріля*",
    "missile": "missil* rocket* cruise kalibr* kinzhal* iskander* ракет* крылат* калибр* кинжал* "
               "искандер* іскандер*",
    "drone": "drone* uav* shahed* kamikaze* беспилот* дрон* бпла безпілот* шахед* камикадз* "
             "камікадз*",
    "air_defence": "air+defen* anti-aircraft intercept* shot+down shoot*+down downed "
                   "пво ппо сбит* сбил* збит* збил* перехопл* перехвач* перехопи*",
    "explosion": "explo* blast* blew detonat* взрыв* вибух* подрыв* підрив* підірв* "
                 "сдетонир* детонац*",
    "fire": "fire fires blaze* burn* flames пожар* пожеж* горит* гори* возгоран*",
    "casualties": "kill* dead death* died die dies toll casualt* injur* wound* victim* bodies "
                  "body corpse* погиб* убит* убил* гибел* жертв* ранен* пострада* тел тела "
                  "загин* загибл* вбит* вбив* поранен* постраждал* тіл тіла",
    "civilians": "civilian* resident* inhabitant* мирн* жител* цивільн* мешкан*",
    "children": "child* kids infant* детей дети детск* ребен* дітей діти дитин* дитяч*",
    "hospital": "hospital* maternity clinic* больниц* роддом* госпитал* лікарн* пологов* "
                "шпитал*",
    "mobilisation": "mobilis* mobiliz* reservist* conscript* call-up call*+up "
                    "мобилиз* мобіліз* резервист* призыв* призов* повестк* повістк*",
    "martial_law": "martial+law военн*+положен* воєнн*+стан*",
    "ceasefire": "ceasefire* cease-fire* truce* armistice* перемири* прекращени*+огня "
                 "припинен*+вогню перемир*",
    "evacuation": "evacu* corridor* эвакуац* эвакуир* коридор* евакуац* евакуйов*",
    "refugees": "refugee* displaced беженц* біженц* переселенц*",
    "drills": "drill* exercise* war+game* маневр* учени* навчан*",
    "deploy": "deploy* build-up* buildup* massed massing reinforc* stationed "
              "concentrat* развертыв* разверн* переброс* сосредоточ* стянул* стягива* "
              "розгорт* перекид* зосередж* скупчен*",
    "border": "border* frontier* границ* кордон*",
    "front": "front* frontline* фронт* передов* линии+соприкосновения",
    "ammunition": "ammunition* ammo munition* shells+depot депо боеприпас* боєприпас* "
                  "снаряд*",
    "depot": "depot* warehouse* склад*",
    "airbase": "airbase* airfield* air+base* аэродром* авиабаз* аеродром* авіабаз*",
    "warship": "warship* cruiser* frigate* flagship* fleet* navy naval vessel* ship* "
               "крейсер* флагман* флот* корабл* судн* судов*",
    "sink": "sink* sank sunk затонул* затонув* потоп*",
    "aircraft": "aircraft* jet jets plane* fighter+jet* helicopter* airliner* "
                "самолет* літак* вертолет* гелікоптер* истребител* винищувач*",
    "crash": "crash* collid* collision* wreck* крушен* разбил* катастроф* аварі* авари* "
             "упал* впав",
    "weapons": "weapon* arms armament* howitzer* artillery+system* aid+package* "
               "military+aid security+assistance оруж* вооружен* зброї зброю зброя "
               "озброєн* гаубиц*",
    "tanks": "tank tanks leopard* abrams challenger* танк* леопард* абрамс*",
    "air_defence_systems": "patriot* himars* nasams* iris-t stinger* javelin* storm+shadow "
                           "atacms* f-16* пэтриот* петріот* хаймарс* джавелин* джавелін*",
    "nuclear": "nuclear* atomic* radioact* radiation* deterren* reactor* ядерн* атомн* "
               "радиац* радіац* реактор*",
    "nuclear_plant": "npp аэс аес nuclear+power+plant* nuclear+plant* nuclear+power+station* "
                     "атомн*+электростанц* атомн*+електростанц*",
    "dirty_bomb": "dirty+bomb* грязн*+бомб* брудн*+бомб*",
    "power_grid": "power+grid* grid power+plant* power+station* thermal+power* electricity "
                  "blackout* outage* energy+infrastructure* энергет* енергет* электр* "
                  "електр* тэц тец теплоэлектро* відключен* отключен* блэкаут* блекаут*",
    "dam": "dam dams hydroelectr* hydropower* floodwater* flood* гэс гес дамб* плотин* "
           "гребл* затоплен* наводнен* повен* підтоплен*",
    "bridge": "bridge* мост моста мосту мостом мосте міст мосту",
    "railway": "rail* train* station* вокзал* залізнич* железнодорож* поезд* потяг*",
    "airport": "airport* аэропорт* аеропорт*",
    # -- diplomacy -----------------------------------------------------------------------------
    "talks": "talk talks negotiat* round+of+talk* переговор* перемовин* перемов* переговорн* "
              "meet meets meeting* met summit* sat+down встреч* встрет* зустріч* зустрі* "
              "саміт* саммит*",
    "phone_call": "call calls called phone* telephon* spoke speak speaks conversation* "
                  "video+call* videoconf* video+link* разговор* телефон* созвон* "
                  "переговорил* розмов* розмовл* видеосвяз* відеозв*",
    "visit": "visit* arriv* trip* travel* tour* визит* прибыл* прибыв* приехал* посетил* "
             "поездк* прибув* візит* відвід* приїха*",
    "delegation": "delegation* envoy* negotiator* делегац* переговорщик* переговірник*",
    "diplomats": "diplomat* embassy* embassies ambassador* consul* дипломат* "
                 "посольств* посол посла послу послом посли послов* консул*",
    "expel": "expel* expuls* persona+non+grata высыл* выслан* выслал* висил* вислал* "
             "висланн*",
    "summon": "summon* вызвал* вызов* викликал* виклик*",
    "sever": "sever severs severed severing break*+off broke+off cut*+ties cut*+diplomatic "
             "разорв* розрив* розірв*",
    "sanctions": "sanction* embargo* blacklist* restrictive+measures санкц* санкці* эмбарго* "
                 "ембарго*",
    "ban": "ban bans banned banning prohibit* запрет* запрещ* заборон*",
    "import": "import* purchas* buy* buying bought импорт* закуп* імпорт* покуп*",
    "export": "export* shipment* shipping экспорт* вывоз* експорт* вивезен*",
    "price_cap": "price+cap* price+ceiling* потолок+цен* потолк*+цен* стел*+цін* ценов*+потол* "
                 "цінов*+стел*",
    "document": "document* letter* written text* paper* документ* письм* лист* текст*",
    "reply": "repl* respon* answer* ответ* відповід* відповіл*",
    "proposal": "propos* draft* plan plans initiative* demand* предлож* проект* инициатив* "
                "требован* пропоз* вимог* ініціатив*",
    "security_guarantees": "guarantee* assurance* гарант* гаранті*",
    "treaty": "treat* pact* accord* agreement* deal deals memorandum* договор* соглашен* "
              "пакт* договір* угод* меморандум* домовлен* договорен*",
    "sign": "sign signs signed signing подпис* підпис*",
    "recognise": "recogni* acknowledg* признал* признан* признат* признани* визна* визнан*",
    "annex": "annex* incorporat* absorb* accession+of joining+russia аннекс* анекс* "
             "присоедин* приєдна* вхожден* входжен* в+состав у+склад* до+складу",
    "referendum": "referend* vote* voting ballot* референдум* голосован* голосуван*",
    "independence": "independen* sovereign* независим* незалежн* суверен*",
    "separatists": "separatist* breakaway* rebel rebels proxy* puppet* сепаратист* сепаратистськ* "
                   "бойовик* боевик* самопровозглаш* самопроголош* квазі* ополчен*",
    "membership": "member* join joins joined joining accession* candida* apply applied "
                  "applies application* bid bids вступ* член* кандидат* заявк* приєднан*",
    "un": "un united+nations оон оон* general+assembly генассамбле* генасамбле* "
          "генеральн*+ассамбле* генеральн*+асамбле*",
    "security_council": "security+council* совбез* радбез* совет*+безопасности "
                        "рад*+безпеки",
    "resolution": "resolution* резолюц*",
    "condemn": "condemn* denounc* deplor* осуд* осужд* засуд* засудж*",
    "warn": "warn* threat* ultimat* caution* предупред* предупрежд* угроз* угрож* "
            "пригроз* ультиматум* попередж* погроз* загроз*",
    "accuse": "accus* blame* allege* обвин* звинувач*",
    "deny": "deny denies denied denial* reject* refut* опроверг* отверг* отрица* "
            "спростув* відкида* відкинул* заперечу*",
    "peace": "peace* мир мира миру",
    "escalation": "escalat* de-escalat* эскалац* деэскалац* ескалац* деескалац*",
    "support": "support* backing solidarity help* assist* поддерж* підтрим*",
    "aid": "aid package* assistance* tranche* помощ* допомог* транш*",
    "funding": "billion* million* bn fund* loan* financ* млрд миллиард* мільярд* млн "
               "миллион* мільйон* кредит* финанс* фінанс*",
    "speech": "address* speech* televised remarks told+reporters news+conference* "
              "press+conference* обращени* выступ* послани* звернен* виступ* промов*",
    "statement": "statement* declar* announc* заявлен* заявлени* объяв* оголос* заяв*",
    # -- politics, law and the state -----------------------------------------------------------
    "decree": "decree* order* ordered orders указ* приказ* распоряж* наказ* розпоряд*",
    "law": "law laws bill bills legislat* закон* законопроект*",
    "parliament": "parliament* lawmaker* legislat* duma rada congress* senate* deputies "
                  "парламент* рада ради раду радою верховн* депутат* конгресс* конгрес* сенат*",
    "election": "election* elect* electoral выбор* избран* вибор* обран*",
    "resign": "resign* step*+down stepped+down отставк* ушел+в+отставку відставк*",
    "dismiss": "dismiss* sack* fired replac* oust* removed уволен* уволил* снят* "
               "отстран* звільнив* замін* замен* заменит*",
    "appoint": "appoint* name* named nominat* назнач* призначен* призначи*",
    "arrest": "arrest* detain* detention* custody jail* imprison* prison* арест* задерж* "
              "заключен* затрим* ув'язн* тюрьм* в'язниц*",
    "court": "court* tribunal* judge* verdict* sentenc* trial* convict* суд* приговор* вирок* "
             "трибунал*",
    "warrant": "warrant* ордер*",
    "war_crimes": "war+crime* genocid* atrocit* deport* военн*+преступлен* геноцид* "
                  "воєнн*+злочин* депортац*",
    "spy": "spy spies spying espionag* шпион* шпигун* шпигунств*",
    "journalist": "journalist* reporter* correspondent* журналист* журналіст* кореспондент* "
                  "корреспондент*",
    "prisoner_swap": "swap* exchang* prisoner* pow pows captive* обмен* обмін* пленн* "
                     "полонен* военнопленн* військовополонен*",
    "release": "releas* free frees freed freeing освобожд* освобод* отпуст* звільн* "
               "відпуст*",
    "mutiny": "mutin* rebellion* uprising* insurrect* coup* march+on мятеж* бунт* заколот* "
              "путч* марш*",
    "protest": "protest* demonstrat* rally* rallies протест* митинг* акци*+протест* мітинг*",
    "martial": "emergency+state state+of+emergency чрезвычайн*+положен* надзвичайн*+стан*",
    "investigation": "investigat* probe* inquiry* расследован* розслідув* следств* "
                     "слідств*",
    "assassination": "assassinat* murder* kill+putin attempt*+on+life покушен* замах*",
    # -- economy and energy --------------------------------------------------------------------
    "gas": "gas gases lng газ газа газу газом газе газов* газопровод* газотранспорт* "
           "газі газових газові",
    "oil": "oil crude petroleum нефт* нафт*",
    "coal": "coal уголь угля вугілл*",
    "pipeline": "pipeline* трубопровод* газопровод* трубопровід*",
    "supply": "suppl* deliver* flow* transit* shipment* поставк* постач* транзит* "
              "прокачк* поток* потік* поставля* поставл*",
    "cut": "cut cuts cutting halt* reduc* curb* stop* shut* suspen* paus* freez* froze "
           "приостан* прекрат* снизит* сокра* останов* заморо* зупин* призупин* скорот* "
           "припин* заморож*",
    "resume": "resum* restart* restor* reopen* возобнов* відновл* відновит* возобновл* "
              "відкри* открыт*",
    "payment": "pay pays paid paying payment* settle* оплат* платеж* плат* рассчит* "
               "розрахун*",
    "rouble": "roubl* rubl* рубл*",
    "bank": "bank* banking банк*",
    "swift": "swift свифт свіфт",
    "assets": "asset* reserves активы актив* резерв*",
    "central_bank": "central+bank* центробанк* цб нацбанк* центральн*+банк*",
    "bailout": "bailout* rescue* nationalis* nationaliz* национализ* націоналіз* "
               "спасени* порятун*",
    "prices": "price* inflation* cost* цен* цін* инфляц* інфляц*",
    "grain": "grain* wheat* corn* food+export* зерн* пшениц* продовольств* продовольч*",
    "port": "port ports seaport* harbour* harbor* порт порта порту портов* портах",
    "deal": "deal deals initiative* сделк* угод* ініціатив*",
    "maintenance": "maintenanc* repair* turbine* обслуживан* ремонт* турбин* турбін*",
    "leak": "leak* rupture* sabotag* утечк* витік* витоку* диверс* пошкодж* поврежд*",
    "cyber": "cyber* hack* ransomware* malware* ddos website* сайт* кибер* кібер* хакер*",
    "sea": "sea морск* морськ* море моря морі",
    # -- reporting words that carry little, folded so translations agree ------------------------
    "intelligence": "intelligence spy+agency* разведк* розвідк* гур гру",
    "foreign_ministry": "foreign+ministry* foreign+office мид мзс міністерств*+закордонних "
                        "министерств*+иностранн*",
    "defence_ministry": "defence+ministry* defense+ministry* ministry+of+defen* pentagon* "
                        "минобороны міноборони",
    "government": "cabinet* government* правительств* уряд* кабмін* кабмин*",
    "president": "president* presidential президент*",
    "leader": "leader* head chief* глава главы главе главой лидер* лідер* очільн* керівник*",
    "spokesman": "spokes* press+secretar* пресс-секретар* речник* пресс-служб* пресслужб* "
                 "прес-служб*",
    "mayor": "mayor* мэр* мер мера мэра",
    "governor": "governor* губернатор* глава+области голова+ова",
    "region": "region* oblast* province* област* облас* регион* регіон* край",
    "city": "city cities town* village* город* місто міста місті містом містах село села "
            "селе селах селищ* деревн*",
    "residential": "residential apartment* building* house* home* жил* житл* будин* дом "
                   "дома домов* "
                   "многоэтаж* багатоповерх*",
    "school": "school* kindergarten* university* школ* садик* детсад* дитсад* університет* "
              "университет*",
    "theatre": "theatre* theater* театр* драмтеатр*",
    "steel_plant": "steelwork* steel+plant* metallurgical+plant* металлургическ*+комбинат* "
                   "меткомбинат* металургійн*+комбінат*",
    "nato": "nato нато alliance* альянс*",
    "eu": "eu ес єс european+union евросоюз* євросоюз* европейск*+союз* європейськ*+союз*",
    # Phrases that hold a concept's word without its sense ("in exchange for" is no prisoner
    # swap, the White House no residential building): the longer pattern wins, and "idiom" is
    # a weak concept.
    "idiom": "in+exchange+for in+return+for white+house in+a+bid+to in+bid+to trapped+under",
}

# Concepts too common in this domain's reports, or about who reports rather than what
# happened, to count as shared evidence or as news of a headline's own (they still fold
# paraphrases of content words).
WEAK_CONCEPTS = frozenset({
    "idiom",
    "statement", "president", "leader", "city", "region", "government", "spokesman", "mayor",
    "governor", "sea", "funding", "support", "foreign_ministry", "defence_ministry",
    "intelligence", "decree", "war",
    # common names: they fold spellings, but are not news of a headline's own
    "@russia", "@moscow", "@kremlin", "@usa", "@putin", "@biden",
})

# Canonical name key -> spellings. Places first (Ukrainian, Russian and English spellings,
# old and new), then people and bodies whose names do not transliterate to one key.
NAMES: dict[str, str] = {
    # places
    "kyiv": "kyiv* kiev* київ* киев* києв*",
    "kharkiv": "kharkiv* kharkov* харків* харьков* харкiв*",
    "zaporizhzhia": "zaporizh* zaporozh* zaporoj* запоріж* запорож*",
    "mariupol": "mariupol* маріупол* мариупол*",
    "kherson": "kherson* херсон*",
    "bakhmut": "bakhmut* artemovsk* artemivsk* бахмут* артемовск* артемівськ*",
    "odesa": "odesa* odessa* одес* одесс*",
    "chornobyl": "chornobyl* chernobyl* чорнобил* чернобыл*",
    "lyman": "lyman* liman* лиман* krasn*+liman* красн*+лиман*",
    "izium": "izium* izyum* изюм* ізюм*",
    "balakliia": "balakli* balakle* балакле* балаклі*",
    "kupiansk": "kupiansk* kupyansk* купянск* куп'янськ* купянськ*",
    "mykolaiv": "mykolaiv* nikolaev* nikolayev* миколаїв* николаев* миколаєв*",
    "dnipro": "dnipro* dnepr* дніпр* днепр*",
    "lviv": "lviv* lvov* львів* львов* львов*",
    "chernihiv": "chernihiv* chernigov* чернігів* чернигов* чернігов*",
    "sumy": "sumy сумы суми сумах сумській сумской",
    "kramatorsk": "kramatorsk* краматорськ* краматорск*",
    "sloviansk": "sloviansk* slavyansk* словʼянськ* слов'янськ* славянск* словянськ*",
    "avdiivka": "avdiivka* avdeyevka* avdiyivka* авдіївк* авдеевк*",
    "severodonetsk": "severodonetsk* sievierodonetsk* сєвєродонецьк* северодонецк*",
    "lysychansk": "lysychansk* lisichansk* лисичанськ* лисичанск*",
    "donetsk": "donetsk* donbas* donbass* dpr донецьк* донецк* донбас* днр",
    "luhansk": "luhansk* lugansk* lpr луганськ* луганск* лнр",
    "crimea": "crimea* krym* криму крим крыма крым* кримськ* крымск*",
    "sevastopol": "sevastopol* севастопол*",
    "kerch": "kerch* керч*",
    "bucha": "bucha* буча* бучі бучу бучи бучанськ*",
    "irpin": "irpin* irpen* ірпін* ирпен*",
    "hostomel": "hostomel* gostomel* гостомел*",
    "melitopol": "melitopol* мелітопол* мелитопол*",
    "enerhodar": "enerhodar* energodar* енергодар* энергодар*",
    "kakhovka": "kakhovk* каховк* каховськ* каховск*",
    "crimean_bridge": "crimean+bridge* kerch+bridge* крымск*+мост* кримськ*+міст* "
                      "керченск*+мост* керченськ*+міст* кримськ*+мост*",
    "nova_kakhovka": "nova+kakhovk* новая+каховк* нова+каховк*",
    "azovstal": "azovstal* азовстал*",
    "snake_island": "snake+island* зміїн* змеин*",
    "vuhledar": "vuhledar* ugledar* вугледар* угледар*",
    "soledar": "soledar* соледар*",
    "olenivka": "olenivka* olenovka* оленівк* оленовк*",
    "volnovakha": "volnovakh* волновах*",
    "okhtyrka": "okhtyrk* akhtyrk* охтирк* ахтырк*",
    "belgorod": "belgorod* bilhorod* белгород* бєлгород* белгородск*",
    "bryansk": "bryansk* брянськ* брянск*",
    "kursk": "kursk* курськ* курск*",
    "rostov": "rostov* ростов*",
    "voronezh": "voronezh* воронеж*",
    "minsk": "minsk* мінськ* минск*",
    "belarus": "belarus* belorus* білорус* беларус* белорус*",
    "moldova": "moldov* молдов* молдав*",
    "transnistria": "transnistr* pridnestrov* придністров* приднестров*",
    "poland": "poland* polish pole poles польш* польщ* польськ* польск* варшав* warsaw*",
    "geneva": "geneva* женев*",
    "istanbul": "istanbul* стамбул*",
    "antalya": "antaly* анталі* анталь* анталь*",
    "ankara": "ankara* анкар*",
    "turkey": "turkey* turkish turkiye* türki* турци* туреч* турецьк* турецк* erdogan* "
              "ердоган* эрдоган*",
    "black_sea": "black+sea* черн*+мор* чорн*+мор*",
    "baltic": "baltic* балтий* балтійськ* балтик*",
    "finland": "finland* finnish finns фінлянд* финлянд* фінськ* финск*",
    "sweden": "sweden* swedish швеці* швеци* шведськ* шведск*",
    "germany": "germany* german берлин* берлін* berlin* германи* німеччин* німецьк* "
               "немецк* фрг",
    "france": "france* french париж* paris* франци* франці* французьк* французск*",
    "britain": "britain* british uk лондон* london* великобритан* британ* англі* англи*",
    "north_korea": "north+korea* кндр северн*+коре* північн*+коре* pyongyang* пхеньян*",
    "china": "china* chinese beijing* пекин* пекін* кита* китай* китає*",
    "kazakhstan": "kazakh* казах*",
    "iran": "iran* иран* іран*",
    # other states in this war's news, with their people and capitals: "Estonia expels
    # Russia's ambassador" and "Russia expels the Estonian ambassador" name the same two sides
    "estonia": "estonia* tallinn* эстони* естоні* эстонск* естонськ* таллин*",
    "latvia": "latvia* riga латви* латві* латвийск* латвійськ* рига риги ризі",
    "lithuania": "lithuania* vilnius* литв* литовск* литовськ* вильнюс* вільнюс*",
    "hungary": "hungar* budapest* венгр* угорщин* угорськ* будапешт*",
    "romania": "romania* bucharest* румыни* румуні* румынск* румунськ* бухарест*",
    "bulgaria": "bulgaria* sofia болгари* болгарі*",
    "slovakia": "slovak* bratislava* словаки* словаччин* словацк* словацьк*",
    "czechia": "czech* prague* чехи* чехії чеськ* чешск* праг*",
    "austria": "austria* vienna* австри* австрі* вен* відн*",
    "italy": "italy italian* rome италь* італ* итали* рим",
    "spain": "spain spanish madrid* испани* іспані* испанск* іспанськ* мадрид*",
    "netherlands": "netherlands dutch hague нидерланд* нідерланд*",
    "denmark": "denmark danish copenhagen* дани* данськ* датск* копенгаген*",
    "norway": "norway* norwegian* oslo норвеги* норвегі* норвежск* норвезьк*",
    "japan": "japan* tokyo* япони* японі* японск* японськ* токио",
    "israel": "israel* израил* ізраїл*",
    "canada": "canad* ottawa* канад* оттав*",
    "serbia": "serbia* serbian* belgrade* серби* сербі* сербск* сербськ* белград*",
    "armenia": "armenia* yerevan* армени* вірмені* армянск* вірменськ* ереван* єреван*",
    "azerbaijan": "azerbaijan* azeri* baku азербайджан* баку",
    "syria": "syria* damascus* сири* сирі* дамаск*",
    # names common in this domain whose spellings differ across scripts (they are in
    # story_lexicon.COMMON_NAMES, so they count for little, but "Россия" and "Russia" are one)
    "russia": "russia* росси* росія* росії росію російськ* российск*",
    "moscow": "moscow* москв* москов*",
    "kremlin": "kremlin* кремл*",
    "usa": "usa сша",
    "putin": "putin* путин* путін*",
    "biden": "biden* байден*",
    # people
    "macron": "macron* макрон*",
    "kim_jong_un": "kim+jong+un ким+чен+ын кім+чен+ин",
    "scholz": "scholz* шольц*",
    "johnson": "johnson* джонсон*",
    "sunak": "sunak* сунак*",
    "truss": "truss* трасс* трас",
    "guterres": "guterres* гутерриш* гутерреш* гутерреш*",
    "grossi": "grossi* гросси* гроссі*",
    "iaea": "iaea магатэ магате",
    "icc": "icc international+criminal+court* мус мкс международн*+уголовн*+суд* "
           "міжнародн*+кримінальн*+суд*",
    "kadyrov": "kadyrov* кадыров* кадиров*",
    "pushilin": "pushilin* пушилин* пушилін*",
    "pasechnik": "pasechnik* пасечник*",
    "budanov": "budanov* буданов*",
    "zaluzhny": "zaluzhn* залужн*",
    "syrskyi": "syrsk* сырск* сирськ*",
    "podolyak": "podoly* podolia* подоляк*",
    "yermak": "yermak* ermak* єрмак* ермак*",
    "reznikov": "reznikov* резников* резніков*",
    "umerov": "umerov* умеров*",
    "klitschko": "klitschko* klychko* кличко*",
    "shmyhal": "shmyhal* shmygal* шмигал* шмыгал*",
    "arestovych": "arestovych* arestovich* арестович*",
    "surovikin": "surovikin* суровикин* суровікін*",
    "kozak": "kozak* козак*",
    "medinsky": "medinsk* мединск* мединськ* мєдінськ*",
    "nebenzya": "nebenzia* nebenzya* небензя*",
    "zakharova": "zakharova* захаров*",
    "patrushev": "patrushev* патрушев*",
    "stoltenberg": "stoltenberg* столтенберг*",
    "borrell": "borrell* боррел*",
    "von_der_leyen": "leyen* ляйен* ляєн* ляйєн*",
    "michel": "michel мишел* мішел*",
    "lukashenko": "lukashenk* лукашенк*",
    "xi": "xi xi+jinping* си+цзиньпин* сі+цзіньпін*",
    "wagner": "wagner* вагнер*",
    "gazprom": "gazprom* газпром*",
    "naftogaz": "naftogaz* нафтогаз*",
    "rosatom": "rosatom* росатом*",
    "energoatom": "energoatom* enerhoatom* енергоатом* энергоатом*",
    "ukrenergo": "ukrenergo* укренерго*",
    "nord_stream": "nord+stream* северн*+поток* північн*+потік*",
    "new_start": "new+start* start+treaty снв* дснв* ствс*",
    "minsk_agreements": "minsk+agreement* minsk+accord* минск*+соглашен* мінськ*+угод*",
    "normandy": "normandy* нормандск* нормандськ*",
    "duma": "duma госдум* дума думы",
    "rada": "rada верховн*+рад*",
    "osce": "osce обсе обсє",
    "g7": "g7 g-7 group+of+seven семерк* сімк*",
    "g20": "g20 g-20 двадцатк* двадцятк*",
}
# fmt: on
