"""Names of people, institutions, companies, patent agents, examiners and funders.

Realistic and partly real (institution identifiers follow the real GRID/ROR formats; a few
names that the public API examples search for, such as "Harvard University", "Craig Venter",
"Kondratyev" or "Engebretson", are deliberately present). Some carry diacritics so that
text analysis of non-ASCII names gets exercised.
"""

from __future__ import annotations

from functools import lru_cache

from mirror.sample.topics import split

FIRST_NAMES = split(
    "Maha|Dana|Glenn|Andrew|Kevin|Anna|John|Adarsh|Rebecca|Ling|Jonathan|Celestia|Maria|David|Sarah|"
    "Michael|Wei|Yuki|Hiroshi|Min-jun|Ji-woo|Priya|Rahul|Fatima|Ahmed|Olga|Sergei|Elena|Lars|Ingrid|"
    "José|François|Zoë|Søren|Łukasz|Jürgen|Björn|Ángel|Çağla|Renée|Thomas|Laura|James|Emily|Daniel|"
    "Sophie|Pierre|Giulia|Marco|Chen|Xiaoming|Kenji|Aiko|Seo-yeon|Kwame|Amina|Chinedu|Lucas|Camila|"
    "Mateo|Isabel|Hannah|Peter|Craig|Nikolai|Tomás|Anders|Mei|Hyun|Ravi|Ewa|Kateřina|Ólafur|Brian"
)
LAST_NAMES = split(
    "Hussain|Rathkopf|Liu|Armstrong|Kelly|Ferrari|Hainsworth|Joshi|Hozak|Yang|Schwartz|Higano|Smith|"
    "Johnson|Williams|Brown|Jones|García|Martínez|Müller|Schmidt|Schneider|Fischer|Wang|Li|Zhang|Chen|"
    "Zhao|Tanaka|Suzuki|Sato|Watanabe|Kim|Lee|Park|Choi|Nguyễn|Tran|Kumar|Singh|Patel|Sharma|Ivanov|"
    "Kondratyev|Petrov|Novak|Nowak|Kowalski|Dubois|Lefèvre|Moreau|Rossi|Bianchi|Andersson|Johansson|"
    "Nielsen|Jensen|Hansen|O'Brien|Murphy|Okafor|Mensah|Silva|Santos|Oliveira|Gómez|Sánchez|Çelik|"
    "Yılmaz|Kovács|Dvořák|Svensson|Venter|Engebretson|Doudna|Charpentier|Zhou|Wu|Huang|Hoffmann|Weiß|"
    "Fernández|Ødegaard|Łęcki|Aarts|de Jong|van der Berg|Nakamura|Kobayashi|Yoshida|Jung|Kang|Ali"
)

# name;grid;ror;magid;country;city line for name_original;fundref;wikidata;isni
INSTITUTIONS = tuple(
    tuple(line.split(";"))
    for line in split(
        "Harvard University;grid.38142.3c;03vek6s52;136199984;US;Cambridge, MA, USA;100007229;q13371;"
        "0000000419368754|"
        "University of Michigan;grid.214458.e;00jmfr291;27837315;US;Ann Arbor, MI, United States;100007270;"
        "q230492;0000000419367347|"
        "Memorial Sloan Kettering Cancer Center;grid.51462.34;02yrq0923;1334819555;US;New York NY United States;;;|"
        "University of Wisconsin-Madison;grid.14003.36;01y2jtd41;135310074;US;Madison, WI, United States;"
        "100007015;q838330;|"
        "Duke University;grid.26009.3d;00py81415;170897317;US;Durham, NC, United States;100006510;q168751;|"
        "New York University;grid.137628.9;0190ak572;57206974;US;New York, NY, United States;100006732;q49210;|"
        "University of Washington;grid.34477.33;00cvxb145;201448701;US;Seattle, WA, United States;100007812;;|"
        "Massachusetts Institute of Technology;grid.116068.8;042nb2s44;63966007;US;Cambridge, MA, USA;"
        "100006919;q49108;|"
        "Stanford University;grid.168010.e;00f54p054;97018004;US;Stanford, CA, USA;100005492;q41506;|"
        "University of California, Berkeley;grid.47840.3f;01an7q238;95457486;US;Berkeley, CA, USA;;q168756;|"
        "Broad Institute;grid.66859.34;05a0ya142;107672454;US;Cambridge, MA, USA;100014989;q4971011;|"
        "University of Oxford;grid.4991.5;052gg0110;40120149;GB;Oxford, UK;100012068;q34433;|"
        "University of Cambridge;grid.5335.0;013meh722;241749;GB;Cambridge, United Kingdom;100010441;q35794;|"
        "London School of Hygiene & Tropical Medicine;grid.8991.9;00a0jsq62;106118109;GB;London, UK;;q1398225;|"
        "Institut Pasteur;grid.428999.7;0495fxg12;1282105669;FR;Paris, France;100007253;q691035;|"
        "Université de Montréal;grid.14848.31;0161xgx34;70931966;CA;Montréal, QC, Canada;;q392189;|"
        "Universidade de São Paulo;grid.11899.38;036rp1748;17974374;BR;São Paulo, Brazil;;q835960;|"
        "Technische Universität München;grid.6936.a;02kkvpp62;62916508;DE;München, Germany;100009461;q157808;|"
        "Ludwig-Maximilians-Universität München;grid.5252.0;05591te55;8204097;DE;Munich, Germany;;q55044;|"
        "ETH Zurich;grid.5801.c;05a28rw58;35440088;CH;Zürich, Switzerland;100009022;q11942;|"
        "Karolinska Institutet;grid.4714.6;056d84691;28166907;SE;Stockholm, Sweden;100007426;q174315;|"
        "Max Planck Society;grid.4372.2;01hhn8329;149899117;DE;Munich, Germany;100004189;q158085;|"
        "University of Tokyo;grid.26999.3d;057zh3y96;74801974;JP;Tokyo, Japan;;q7842;|"
        "Kyoto University;grid.258799.8;02kpeqv85;22299242;JP;Kyoto, Japan;;q34600;|"
        "Seoul National University;grid.31501.36;04h9pn542;139264467;KR;Seoul, Republic of Korea;;q39988;|"
        "KAIST;grid.37172.30;05apxxy63;125602781;KR;Daejeon, Korea;;q33130;|"
        "Tsinghua University;grid.12527.33;03cve4549;99065089;CN;Beijing, China;;q16955;|"
        "Peking University;grid.11135.37;02v51f717;20231570;CN;Beijing, P.R. China;;q16952;|"
        "Chinese Academy of Sciences;grid.9227.e;034t30j35;19820366;CN;Beijing 100101, China;100005204;q530471;|"
        "University of Toronto;grid.17063.33;03dbr7087;185261750;CA;Toronto, ON, Canada;100008264;q180865;|"
        "University of Melbourne;grid.1008.9;01ej9dk98;165779595;AU;Parkville, VIC, Australia;;q319078;|"
        "Mahidol University;grid.10223.32;01znkr924;153550622;TH;Bangkok, Thailand;;q1190812;|"
        "KEMRI-Wellcome Trust Research Programme;grid.33058.3d;04r1cxt79;2800395930;KE;Kilifi, Kenya;;;|"
        "University of Nairobi;grid.10604.33;02y9nww90;172096232;KE;Nairobi, Kenya;;q1815441;|"
        "Eli Lilly and Company;grid.417540.3;01qat3289;168537998;US;Indianapolis, IN (United States);"
        "100004312;;|"
        "IBM Research;grid.481554.9;05hh8d621;4210114115;US;Yorktown Heights, NY, USA;;;|"
        "Fred Hutchinson Cancer Research Center;grid.270240.3;007ps6h72;1334986547;US;Seattle, WA, United States;;;|"
        "China Agricultural University;grid.22935.3f;04v3ywz14;154099455;CN;Beijing, China;;q1069418;|"
        "Wageningen University & Research;grid.4818.5;04qw24q55;913958620;NL;Wageningen, The Netherlands;;q214341;|"
        "Université Paris-Saclay;grid.460789.4;03xjwb503;277688954;FR;Gif-sur-Yvette, France;;q50377349;"
    )
)

DEPARTMENTS = split(
    "Department of Medicine|Department of Chemistry|Department of Electrical Engineering|"
    "Department of Computer Science|School of Public Health|Department of Plant Sciences|"
    "Institute of Molecular Biology|Comprehensive Cancer Center|Department of Economics|"
    "School of Dentistry|Department of Physics|Department of Materials Science and Engineering|"
    "Centre for Tropical Medicine and Global Health|Laboratory of Structural Biology"
)

COLLECTIVES = split(
    "MalariaGEN Plasmodium falciparum Community Project|CRISPR Screen Consortium|"
    "Prostate Cancer Clinical Trials Consortium|Global Burden of Disease Collaborators|"
    "ImageNet Challenge Organizers|Wheat Genome Sequencing Consortium|RTS,S Clinical Trials Partnership"
)

# key;APPLICANT NAME(S, "/" between variants);Owner name;residence;address
_COMPANIES = split(
    "ibm;INTERNATIONAL BUSINESS MACHINES CORPORATION/IBM;International Business Machines Corporation;US;"
    "New Orchard Road, Armonk, NY 10504, US|"
    "google;GOOGLE LLC;Google LLC;US;1600 Amphitheatre Parkway, Mountain View, CA 94043, US|"
    "microsoft;MICROSOFT TECHNOLOGY LICENSING LLC;Microsoft Technology Licensing, LLC;US;One Microsoft Way, "
    "Redmond, WA 98052, US|"
    "tencent;TENCENT TECH SHENZHEN CO LTD;Tencent Technology (Shenzhen) Company Limited;CN;Shenzhen, CN|"
    "huawei;HUAWEI TECH CO LTD;Huawei Technologies Co., Ltd.;CN;Bantian, Longgang District, Shenzhen, CN|"
    "samsung;SAMSUNG ELECTRONICS CO LTD;Samsung Electronics Co., Ltd.;KR;129 Samsung-ro, Suwon-si, KR|"
    "sony;SONY CORP;Sony Group Corporation;JP;1-7-1 Konan, Minato-ku, Tokyo, JP|"
    "intel;INTEL CORP;Intel Corporation;US;2200 Mission College Blvd, Santa Clara, CA 95054, US|"
    "tsmc;TAIWAN SEMICONDUCTOR MFG CO LTD;Taiwan Semiconductor Manufacturing Company, Ltd.;TW;Hsinchu, TW|"
    "amat;APPLIED MATERIALS INC;Applied Materials, Inc.;US;3050 Bowers Avenue, Santa Clara, CA 95054, US|"
    "asml;ASML NETHERLANDS BV;ASML Netherlands B.V.;NL;De Run 6501, Veldhoven, NL|"
    "lgchem;LG CHEMICAL LTD/LG ENERGY SOLUTION LTD;LG Energy Solution, Ltd.;KR;Yeouido-dong, Seoul, KR|"
    "panasonic;PANASONIC IP MAN CO LTD;Panasonic Intellectual Property Management Co., Ltd.;JP;Osaka, JP|"
    "toyota;TOYOTA MOTOR CO LTD;Toyota Jidosha Kabushiki Kaisha;JP;1 Toyota-cho, Toyota-shi, Aichi-ken, JP|"
    "tesla;TESLA INC;Tesla, Inc.;US;3500 Deer Creek Road, Palo Alto, CA 94304, US|"
    "catl;CONTEMPORARY AMPEREX TECHNOLOGY CO LTD;Contemporary Amperex Technology Co., Limited;CN;Ningde, "
    "Fujian, CN|"
    "byd;BYD CO LTD;BYD Company Limited;CN;Shenzhen, Guangdong, CN|"
    "bosch;BOSCH GMBH ROBERT;Robert Bosch GmbH;DE;Postfach 30 02 20, 70442 Stuttgart, DE|"
    "siemens;SIEMENS AG;Siemens Aktiengesellschaft;DE;Werner-von-Siemens-Straße 1, 80333 München, DE|"
    "basf;BASF SE;BASF SE;DE;Carl-Bosch-Straße 38, 67056 Ludwigshafen am Rhein, DE|"
    "bayer;BAYER AG/BAYER CROPSCIENCE AG;Bayer Aktiengesellschaft;DE;Kaiser-Wilhelm-Allee 1, 51373 Leverkusen, DE|"
    "syngenta;SYNGENTA PARTICIPATIONS AG;Syngenta Participations AG;CH;Schwarzwaldallee 215, 4058 Basel, CH|"
    "monsanto;MONSANTO TECHNOLOGY LLC;Monsanto Technology LLC;US;800 North Lindbergh Blvd, St. Louis, MO, US|"
    "pioneer;PIONEER HI BRED INT;Pioneer Hi-Bred International, Inc.;US;Johnston, IA, US|"
    "gsk;GLAXOSMITHKLINE BIOLOGICALS SA;GlaxoSmithKline Biologicals S.A.;BE;Rue de l'Institut 89, Rixensart, BE|"
    "sanofi;SANOFI PASTEUR;Sanofi Pasteur;FR;14 Espace Henry Vallée, 69007 Lyon, FR|"
    "novartis;NOVARTIS AG;Novartis AG;CH;Lichtstrasse 35, 4056 Basel, CH|"
    "pfizer;PFIZER;Pfizer Inc.;US;235 East 42nd Street, New York, NY 10017, US|"
    "roche;HOFFMANN LA ROCHE/F. HOFFMANN-LA ROCHE AG;F. Hoffmann-La Roche AG;CH;Grenzacherstrasse 124, Basel, CH|"
    "genentech;GENENTECH INC;Genentech, Inc.;US;1 DNA Way, South San Francisco, CA 94080, US|"
    "lilly;LILLY CO ELI;Eli Lilly and Company;US;Lilly Corporate Center, Indianapolis, IN 46285, US|"
    "nih;US HEALTH;The United States of America, as represented by the Secretary, Department of Health "
    "and Human Services;US;Bethesda, MD, US|"
    "oxford;OXFORD UNIVERSITY INNOVATION LTD;Oxford University Innovation Limited;GB;Botley Road, Oxford, GB|"
    "pasteur;PASTEUR INSTITUT;Institut Pasteur;FR;25-28 rue du Docteur Roux, 75015 Paris, FR|"
    "broad;BROAD INST INC;The Broad Institute, Inc.;US;415 Main Street, Cambridge, MA 02142, US|"
    "ucal;UNIV CALIFORNIA;The Regents of the University of California;US;1111 Franklin Street, Oakland, CA, US|"
    "editas;EDITAS MEDICINE INC;Editas Medicine, Inc.;US;11 Hurley Street, Cambridge, MA 02141, US|"
    "crisprtx;CRISPR THERAPEUTICS AG;CRISPR Therapeutics AG;CH;Baarerstrasse 14, 6300 Zug, CH|"
    "harvard;HARVARD COLLEGE;President and Fellows of Harvard College;US;17 Quincy Street, Cambridge, MA, US|"
    "mit;MASSACHUSETTS INST TECHNOLOGY;Massachusetts Institute of Technology;US;77 Massachusetts Avenue, "
    "Cambridge, MA 02139, US|"
    "bruker;BRUKER AXS GMBH;Bruker AXS GmbH;DE;Östliche Rheinbrückenstraße 49, 76187 Karlsruhe, DE|"
    "rigaku;RIGAKU DENKI CO LTD;Rigaku Corporation;JP;Akishima-shi, Tokyo, JP|"
    "3m;3M INNOVATIVE PROPERTIES CO;3M Innovative Properties Company;US;3M Center, Saint Paul, MN 55133, US|"
    "dentsply;DENTSPLY SIRONA INC;Dentsply Sirona Inc.;US;221 West Philadelphia Street, York, PA, US|"
    "ivoclar;IVOCLAR VIVADENT AG;Ivoclar Vivadent AG;LI;Bendererstrasse 2, 9494 Schaan, LI|"
    "colgate;COLGATE PALMOLIVE CO;Colgate-Palmolive Company;US;300 Park Avenue, New York, NY 10022, US|"
    "boa;BANK OF AMERICA CORP;Bank of America Corporation;US;100 North Tryon Street, Charlotte, NC, US|"
    "mastercard;MASTERCARD INTERNATIONAL INC;Mastercard International Incorporated;US;Purchase, NY, US|"
    "alibaba;ALIBABA GROUP HOLDING LTD;Alibaba Group Holding Limited;KY;George Town, Grand Cayman, KY|"
    "capitalone;CAPITAL ONE SERVICES LLC;Capital One Services, LLC;US;1680 Capital One Drive, McLean, VA, US|"
    "progenika;PROGENIKA BIOPHARMA SA;PROGENIKA BIOPHARMA, S.A.;ES;Parque Tecnológico de Zamudio, Derio, ES"
)


@lru_cache(maxsize=1)
def companies() -> dict[str, tuple[tuple[str, ...], str, str, str]]:
    """key -> (applicant name variants, owner name, residence country, address)."""
    out: dict[str, tuple[tuple[str, ...], str, str, str]] = {}
    for line in _COMPANIES:
        key, names, owner, country, address = line.split(";")
        out[key] = (tuple(names.split("/")), owner, country, address)
    return out


# name;address;country (patent agents and attorneys)
AGENTS = tuple(
    tuple(line.split(";"))
    for line in split(
        "Casley, Christopher Stuart;Mewburn Ellis LLP \n33 Gutter Lane, London\nEC2V 8AS;GB|"
        "Fish & Richardson P.C.;PO Box 1022, Minneapolis, MN 55440-1022;US|"
        "Finnegan, Henderson, Farabow, Garrett & Dunner, LLP;901 New York Avenue NW, Washington, DC 20001;US|"
        "Grünecker Patent- und Rechtsanwälte PartG mbB;Leopoldstraße 4\n80802 München;DE|"
        "Vossius & Partner Patentanwälte Rechtsanwälte mbB;Siebertstraße 3\n81675 München;DE|"
        "Cabinet Plasseraud;66, rue de la Chaussée d'Antin\n75440 Paris Cedex 09;FR|"
        "Elzaburu S.L.P.;Miguel Ángel 21, 2nd floor\n28010 Madrid;ES|"
        "China Patent Agent (H.K.) Ltd.;22/F Great Eagle Centre, Wanchai, Hong Kong;CN|"
        "Nakamura, Makoto;Tokyo, Japan;JP|"
        "Kim & Chang;39 Sajik-ro 8-gil, Jongno-gu, Seoul;KR|"
        "Knobbe, Martens, Olson & Bear, LLP;2040 Main Street, Irvine, CA 92614;US|"
        "Marks & Clerk LLP;15 Fetter Lane, London EC4A 1BW;GB"
    )
)

EXAMINERS = split(
    "Horlick, Kenneth R|Babic, Christopher M|Minnifield, Nita M|Ogunbiyi, Oluwatosin A|Le, Emily M|"
    "Nguyen, Khiem D|Chu, Johnson Tso|Vu, Hung K|Tran, Tony|Ruthkosky, Mark|Patel, Rena Dye|"
    "Afshar, Kamran|Bhat, Narayan Kamath|Kosowski, Alexander J|Mellon, David C|Wang, Chun Cheung"
)
ART_UNITS = split("1637|1645|1643|1634|1729|1725|2812|2816|2122|2128|3694|3685|1663|3772")

# org;fundref id;country;funding id pattern (# digit, @ letter);optional programme name
FUNDERS = tuple(
    tuple(line.split(";"))
    for line in split(
        "NCI NIH HHS;100000054;United States;P30 CA######;|"
        "NIAID NIH HHS;100000060;United States;R01 AI######;|"
        "National Institutes of Health;100000002;United States;U01 GM######;|"
        "Bill & Melinda Gates Foundation;100000865;United States;OPP#######;Grand Challenges Explorations|"
        "Wellcome Trust;100004440;United Kingdom;######/Z/##/Z;Wellcome Senior Fellowship|"
        "Medical Research Council;501100000265;United Kingdom;MR/@######/1;|"
        "European Research Council;501100000781;European Union;ERC-2015-STG-######;Starting Grant|"
        "National Natural Science Foundation of China;501100001809;China;########;|"
        "Deutsche Forschungsgemeinschaft;501100001659;Germany;SFB ####;Sonderforschungsbereich|"
        "Japan Society for the Promotion of Science;501100001691;Japan;JP##K#####;KAKENHI|"
        "National Science Foundation;100000001;United States;CCF-#######;CAREER|"
        "U.S. Department of Energy;100000015;United States;DE-AC02-##CH#####;|"
        "Engineering and Physical Sciences Research Council;501100000266;United Kingdom;EP/@######/1;|"
        "Agence Nationale de la Recherche;501100001665;France;ANR-##-CE##-####;|"
        "National Research Foundation of Korea;501100003725;Korea, Republic of;NRF-####R1A2C#######;|"
        "National Institute of Food and Agriculture;100005825;United States;####-#####-#####;"
    )
)
