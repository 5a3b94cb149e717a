"""Name pools and the journal catalogue.

Author names are random combinations from small pools (no real author list is
reproduced). Journal names are real, because how each database spells a journal
(MEDLINE abbreviation, Embase "and", WoS capitals) is exactly what dedup has to
cope with; the records placed in them are invented.
"""

from __future__ import annotations

import random

from samplegen.model import Journal, Person

ZH_FAMILIES = [
    ("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"),
    ("Zhao", "赵"), ("Huang", "黄"), ("Zhou", "周"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"),
    ("Hu", "胡"), ("Zhu", "朱"), ("Gao", "高"), ("Lin", "林"), ("He", "何"), ("Guo", "郭"),
    ("Ma", "马"), ("Luo", "罗"), ("Liang", "梁"), ("Song", "宋"), ("Zheng", "郑"), ("Xie", "谢"),
]
ZH_GIVENS = [
    ("Wei", "伟"), ("Fang", "芳"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"), ("Yang", "洋"),
    ("Xiaoming", "晓明"), ("Jianhua", "建华"), ("Lingyun", "凌云"), ("Hongwei", "宏伟"),
    ("Yanping", "艳萍"), ("Zhiqiang", "志强"), ("Xiaohong", "晓红"), ("Dandan", "丹丹"),
    ("Yuting", "雨婷"), ("Jun", "军"), ("Hui", "慧"), ("Qing", "青"), ("Shuang", "爽"),
    ("Haiyan", "海燕"), ("Guoqiang", "国强"), ("Chunmei", "春梅"), ("Tao", "涛"), ("Bin", "斌"),
]
WESTERN = {
    "Spain": (["Garcia", "Martinez", "Lopez", "Sanchez", "Romero", "Navarro", "Ortega", "Molina",
               "Delgado", "Castillo"],
              ["Javier", "Maria Carmen", "Jose Antonio", "Lucia", "Pablo", "Ana Isabel", "Miguel",
               "Elena", "Carlos Alberto", "Rosa"]),
    "Iran": (["Ahmadi", "Hosseini", "Karimi", "Rahimi", "Mohammadi", "Jafari", "Sadeghi",
              "Moradi", "Rezaei", "Ghasemi"],
             ["Ali", "Mohammad Reza", "Fatemeh", "Hamid", "Zahra", "Mehdi", "Maryam", "Reza",
              "Saeed", "Leila"]),
    "Korea": (["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Yoon", "Jang", "Lim", "Han"],
              ["Min-Jun", "Seo-Yeon", "Ji-Hoon", "Hye-Jin", "Dong-Hyun", "Eun-Ji", "Sung-Min",
               "Yu-Na", "Jae-Won", "Soo-Jin"]),
    "India": (["Sharma", "Gupta", "Patel", "Reddy", "Iyer", "Nair", "Singh", "Kumar", "Rao",
               "Menon"],
              ["Anil", "Priya", "Rajesh", "Sunita", "Vikram", "Deepa", "Arjun", "Kavita", "Suresh",
               "Meena"]),
    "USA": (["Miller", "Johnson", "Anderson", "Thompson", "Walker", "Harris", "Clark", "Lewis",
             "Young", "Allen"],
            ["Michael J", "Sarah", "David R", "Jennifer", "Robert", "Emily", "James T", "Laura",
             "Daniel", "Rachel"]),
    "Italy": (["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
               "Marino", "Greco"],
              ["Giuseppe", "Francesca", "Marco", "Chiara", "Luca", "Giulia", "Andrea", "Sara",
               "Matteo", "Valentina"]),
    "Brazil": (["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida", "Ferreira",
                "Ribeiro", "Carvalho"],
               ["Joao Paulo", "Ana Paula", "Lucas", "Mariana", "Rafael", "Camila", "Bruno",
                "Juliana", "Felipe", "Beatriz"]),
    "Australia": (["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Martin", "White",
                   "Thomas", "Moore"],
                  ["John", "Kate", "Peter A", "Helen", "Mark", "Claire", "Andrew", "Sophie",
                   "Richard", "Anna"]),
    "Turkey": (["Yilmaz", "Kaya", "Demir", "Celik", "Sahin", "Yildiz", "Aydin", "Ozturk",
                "Arslan", "Dogan"],
               ["Mehmet", "Ayse", "Mustafa", "Fatma", "Emre", "Zeynep", "Ahmet", "Elif", "Burak",
                "Merve"]),
}

HYPHENATED = {  # how some journals print two-syllable given names
    "Xiaoming": "Xiao-Ming", "Jianhua": "Jian-Hua", "Lingyun": "Ling-Yun", "Hongwei": "Hong-Wei",
    "Yanping": "Yan-Ping", "Zhiqiang": "Zhi-Qiang", "Xiaohong": "Xiao-Hong", "Dandan": "Dan-Dan",
    "Yuting": "Yu-Ting", "Haiyan": "Hai-Yan", "Guoqiang": "Guo-Qiang", "Chunmei": "Chun-Mei",
}

AFFILIATIONS = {
    "China": ("Department of Rheumatology and Immunology, {city} Hospital, {city}, China.",
              "{city_zh}医院风湿免疫科"),
    "Spain": ("Department of Orthopaedic Surgery, Hospital Universitario, Madrid, Spain.", ""),
    "Iran": ("Department of Regenerative Medicine, Royan Institute, Tehran, Iran.", ""),
    "Korea": ("Department of Orthopedic Surgery, Seoul National University Hospital, Seoul, "
              "Republic of Korea.", ""),
    "India": ("Department of Clinical Immunology, Institute of Medical Sciences, Bangalore, "
              "India.", ""),
    "USA": ("Division of Rheumatology, University Medical Center, Houston, TX, USA.", ""),
    "Italy": ("Department of Gastroenterology, University Hospital, Milan, Italy.", ""),
    "Brazil": ("Department of Medicine, Federal University, Sao Paulo, Brazil.", ""),
    "Australia": ("Department of Rheumatology, Royal Hospital, Melbourne, Australia.", ""),
    "Turkey": ("Department of Physical Medicine, University Hospital, Ankara, Turkey.", ""),
}
ZH_CITIES = [("Nanjing", "南京市第一"), ("Guangzhou", "广州市中心"), ("Wuhan", "武汉大学人民"),
             ("Chengdu", "四川省人民"), ("Tianjin", "天津医科大学总"), ("Jinan", "山东大学齐鲁")]


def authors_for(rng: random.Random, country: str, n: int) -> list[Person]:
    """``n`` distinct made-up authors with names plausible for ``country``."""
    people: list[Person] = []
    seen: set[str] = set()
    while len(people) < n:
        if country == "China":
            fam, fam_zh = rng.choice(ZH_FAMILIES)
            giv, giv_zh = rng.choice(ZH_GIVENS)
            person = Person(fam, giv, fam_zh + giv_zh)
        else:
            fams, givs = WESTERN[country]
            person = Person(rng.choice(fams), rng.choice(givs))
        if person.given not in seen and person.family + person.given not in seen:
            seen.update({person.given, person.family + person.given})
            people.append(person)
    return people


def affiliation_for(rng: random.Random, country: str) -> tuple[str, str]:
    """English and Chinese affiliation line for the first author."""
    en, zh = AFFILIATIONS[country]
    if country == "China":
        city, city_zh = rng.choice(ZH_CITIES)
        return en.format(city=city), zh.format(city_zh=city_zh)
    return en, zh


def _j(code: str, ta: str, jt: str, jf: str, ja: str, j9: str, ji: str, issn: str,
       medline: bool = True, zh: str | None = None, pinyin: str | None = None) -> Journal:
    return Journal(code, ta, jt, jf, ja, j9, ji, issn, medline, zh, pinyin)


JOURNALS: dict[str, Journal] = {j.code: j for j in [
    _j("joca", "Osteoarthritis Cartilage", "Osteoarthritis and cartilage",
       "Osteoarthritis and Cartilage", "Osteoarthr. Cartil.", "OSTEOARTHR CARTILAGE",
       "Osteoarthritis Cartilage", "1063-4584"),
    _j("scrt", "Stem Cell Res Ther", "Stem cell research & therapy",
       "Stem Cell Research and Therapy", "Stem Cell Res. Ther.", "STEM CELL RES THER",
       "Stem Cell Res. Ther.", "1757-6512"),
    _j("ajsm", "Am J Sports Med", "The American journal of sports medicine",
       "American Journal of Sports Medicine", "Am. J. Sports Med.", "AM J SPORT MED",
       "Am. J. Sports Med.", "0363-5465"),
    _j("sctm", "Stem Cells Transl Med", "Stem cells translational medicine",
       "Stem Cells Translational Medicine", "Stem Cells Transl. Med.", "STEM CELL TRANSL MED",
       "Stem Cells Transl. Med.", "2157-6564"),
    _j("arth", "Arthritis Res Ther", "Arthritis research & therapy",
       "Arthritis Research and Therapy", "Arthritis Res. Ther.", "ARTHRITIS RES THER",
       "Arthritis Res. Ther.", "1478-6354"),
    _j("ard", "Ann Rheum Dis", "Annals of the rheumatic diseases",
       "Annals of the Rheumatic Diseases", "Ann. Rheum. Dis.", "ANN RHEUM DIS",
       "Ann. Rheum. Dis.", "0003-4967"),
    _j("rheum", "Rheumatology (Oxford)", "Rheumatology (Oxford, England)",
       "Rheumatology (United Kingdom)", "Rheumatology", "RHEUMATOLOGY", "Rheumatology",
       "1462-0324"),
    _j("lup", "Lupus", "Lupus", "Lupus", "Lupus", "LUPUS", "Lupus", "0961-2033"),
    _j("gast", "Gastroenterology", "Gastroenterology", "Gastroenterology", "Gastroenterology",
       "GASTROENTEROLOGY", "Gastroenterology", "0016-5085"),
    _j("jcc", "J Crohns Colitis", "Journal of Crohn's & colitis",
       "Journal of Crohn's and Colitis", "J. Crohn's Colitis", "J CROHNS COLITIS",
       "J. Crohns Colitis", "1873-9946"),
    _j("msj", "Mult Scler", "Multiple sclerosis (Houndmills, Basingstoke, England)",
       "Multiple Sclerosis Journal", "Mult. Scler.", "MULT SCLER J", "Mult. Scler. J.",
       "1352-4585"),
    _j("fimm", "Front Immunol", "Frontiers in immunology", "Frontiers in Immunology",
       "Front. Immunol.", "FRONT IMMUNOL", "Front. Immunol.", "1664-3224"),
    _j("jcyt", "Cytotherapy", "Cytotherapy", "Cytotherapy", "Cytotherapy", "CYTOTHERAPY",
       "Cytotherapy", "1465-3249"),
    _j("acr", "Arthritis Rheumatol", "Arthritis & rheumatology (Hoboken, N.J.)",
       "Arthritis and Rheumatology", "Arthritis Rheumatol.", "ARTHRITIS RHEUMATOL",
       "Arthritis Rheumatol.", "2326-5191"),
    _j("eular", "Ann Rheum Dis", "Annals of the rheumatic diseases",
       "Annals of the Rheumatic Diseases", "Ann. Rheum. Dis.", "ANN RHEUM DIS",
       "Ann. Rheum. Dis.", "0003-4967"),
    _j("ecco", "J Crohns Colitis", "Journal of Crohn's & colitis",
       "Journal of Crohn's and Colitis", "J. Crohn's Colitis", "J CROHNS COLITIS",
       "J. Crohns Colitis", "1873-9946"),
    _j("sci", "Stem Cells Int", "Stem cells international", "Stem Cells International",
       "Stem Cells Int.", "STEM CELLS INT", "Stem Cells Int.", "1687-966X"),
    _j("jcmm", "J Cell Mol Med", "Journal of cellular and molecular medicine",
       "Journal of Cellular and Molecular Medicine", "J. Cell. Mol. Med.", "J CELL MOL MED",
       "J. Cell. Mol. Med.", "1582-1838"),
    _j("intimp", "Int Immunopharmacol", "International immunopharmacology",
       "International Immunopharmacology", "Int. Immunopharmacol.", "INT IMMUNOPHARMACOL",
       "Int. Immunopharmacol.", "1567-5769"),
    _j("cddis", "Cell Death Dis", "Cell death & disease", "Cell Death and Disease",
       "Cell Death Dis.", "CELL DEATH DIS", "Cell Death Dis.", "2041-4889"),
    _j("ccare", "Crit Care", "Critical care (London, England)", "Critical Care",
       "Crit. Care", "CRIT CARE", "Crit. Care", "1364-8535"),
    _j("medi", "Medicine (Baltimore)", "Medicine", "Medicine (United States)", "Medicine",
       "MEDICINE", "Medicine", "0025-7974"),
    _j("ijrd", "Int J Rheum Dis", "International journal of rheumatic diseases",
       "International Journal of Rheumatic Diseases", "Int. J. Rheum. Dis.", "INT J RHEUM DIS",
       "Int. J. Rheum. Dis.", "1756-1841"),
    _j("zgzz", "", "", "Chinese Journal of Tissue Engineering Research",
       "Chin. J. Tissue Eng. Res.", "CHIN J TISSUE ENG RES", "Chin. J. Tissue Eng. Res.",
       "2095-4344", medline=False, zh="中国组织工程研究"),
    _j("zhfs", "", "", "Chinese Journal of Rheumatology", "Chin. J. Rheumatol.",
       "CHIN J RHEUMATOL", "Chin. J. Rheumatol.", "1007-7480", medline=False,
       zh="中华风湿病学杂志"),
    _j("zhyx", "Zhonghua Yi Xue Za Zhi", "Zhonghua yi xue za zhi",
       "National Medical Journal of China", "Natl. Med. J. China", "NATL MED J CHINA",
       "Natl. Med. J. China", "0376-2491", zh="中华医学杂志", pinyin="Zhonghua Yi Xue Za Zhi"),
    _j("zhnk", "Zhonghua Nei Ke Za Zhi", "Zhonghua nei ke za zhi",
       "Chinese Journal of Internal Medicine", "Chin. J. Intern. Med.", "CHIN J INTERN MED",
       "Chin. J. Intern. Med.", "0578-1426", zh="中华内科杂志", pinyin="Zhonghua Nei Ke Za Zhi"),
    _j("zgxf", "", "", "Chinese Journal of Reparative and Reconstructive Surgery",
       "Chin. J. Reparative Reconstr. Surg.", "CHIN J REPAR RECONSTR SURG",
       "Chin. J. Repar. Reconstr. Surg.", "1002-1892", medline=False, zh="中国修复重建外科杂志"),
    _j("zhyc", "", "", "Chinese Journal of Inflammatory Bowel Diseases",
       "Chin. J. Inflamm. Bowel Dis.", "CHIN J INFLAMM BOWEL DIS",
       "Chin. J. Inflamm. Bowel Dis.", "2096-367X", medline=False, zh="中华炎性肠病杂志"),
    _j("zgyy", "", "", "China Medical Herald", "China Med. Herald", "CHINA MED HERALD",
       "China Med. Herald", "1673-7210", medline=False, zh="中国医药导报"),
]}

WOS_SO = {  # WoS full titles that differ from the Embase title in capitals
    "scrt": "STEM CELL RESEARCH & THERAPY",
    "arth": "ARTHRITIS RESEARCH & THERAPY",
    "cddis": "CELL DEATH & DISEASE",
    "acr": "ARTHRITIS & RHEUMATOLOGY",
    "jcc": "JOURNAL OF CROHNS & COLITIS",
    "ecco": "JOURNAL OF CROHNS & COLITIS",
    "rheum": "RHEUMATOLOGY",
    "medi": "MEDICINE",
}


def wos_source(j: Journal) -> str:
    return WOS_SO.get(j.code, j.embase_jf.upper())
