"""Raw vocabulary of the life-science topic clusters (see ``topics.make_topic`` for the format).

Nouns are ordered by intended frequency (Zipf rank). Journals are
"title;abbrev;publisher;issn-print(7 digits);issn-electronic(7 digits);country[;type]".
"""

from __future__ import annotations

MALARIA: dict[str, object] = {
    "key": "malaria", "w_sch": 12, "w_pat": 7, "bio": True,
    "nouns": "malaria|vaccine|Plasmodium falciparum|parasite|antigen|infection|mosquito|antibody|immunity|"
    "transmission|children|efficacy|artemisinin|sporozoite|Anopheles|merozoite|circumsporozoite protein|"
    "gametocyte|erythrocyte|drug resistance|parasitaemia|adjuvant|immunogenicity|liver stage|bed nets|"
    "chloroquine|Plasmodium vivax|endemic area|RTS,S|blood stage|T cell response|placental malaria|"
    "vector control|artesunate|malaria vaccine",
    "adjs": "severe|uncomplicated|protective|recombinant|endemic|asymptomatic|clinical|humoral|cerebral|"
    "subunit|attenuated|multistage|transmission-blocking|seasonal",
    "contexts": "in sub-Saharan Africa|in endemic regions|in Kenyan children|in a controlled human malaria "
    "infection model|in pregnant women|in Southeast Asia|in a murine model|across transmission settings",
    "methods": "a randomised controlled trial|a phase II trial|a cohort study|a cross-sectional survey|"
    "mathematical modelling|genome-wide association analysis|flow cytometry|a systematic review and meta-analysis",
    "subjects": "children|participants|volunteers|households|isolates|mice",
    "objects": "vaccine composition|immunogenic composition|recombinant antigen|antimalarial compound|"
    "diagnostic kit|virus-like particle|pharmaceutical formulation|monoclonal antibody",
    "gerunds": "administering|immunizing|expressing|purifying|detecting|formulating",
    "fields": "Malaria|Immunology|Virology|Vaccination|Malaria vaccine|Plasmodium falciparum|Parasitology|"
    "Biology|Medicine|Public health|Transmission (medicine)",
    "mesh": "Malaria, Falciparum:D016778|Malaria Vaccines:D017780|Plasmodium falciparum:D010963|"
    "Antigens, Protozoan:D000953|Anopheles:D000852|Antimalarials:D000962|Antibodies, Protozoan:D000913|"
    "Mosquito Vectors:D000074385|Malaria:D008288|Humans:D006801|Child, Preschool:D002675|Mice:D051379",
    "chemicals": "Antimalarials:0:D000962|Malaria Vaccines:0:D017780|Artemisinins:0:D039821|"
    "Chloroquine:886U3H6UFF:D002738|Artesunate:60W3249T9M:D000077332|Protozoan Proteins:0:D015800",
    "cpc": "A61K39/015|A61P33/06|C07K14/445|A61K2039/55566|Y02A50/30|G01N33/56905|C12N15/62|A61K39/002|"
    "A61K31/357",
    "national": "424/191.1|424/272.1|514/450",
    "asjc": "Infectious Diseases:2725|Parasitology:2406|Immunology:2403|"
    "Public Health, Environmental and Occupational Health:2739",
    "organisms": "Plasmodium falciparum:5833|Homo sapiens:9606|Anopheles gambiae:7165",
    "journals": "Malaria Journal;Malar J;BioMed Central;;1475287;United Kingdom|"
    "Vaccine;Vaccine;Elsevier BV;0264410;1873251;Netherlands|"
    "The Lancet;Lancet;Elsevier Limited;0140673;1474547;United Kingdom|"
    "PLOS Medicine;PLoS Med;Public Library of Science;1549127;1549167;United States|"
    "The Journal of Infectious Diseases;J Infect Dis;Oxford University Press;0022189;1537661;United States|"
    "American Journal of Tropical Medicine and Hygiene;Am J Trop Med Hyg;American Society of Tropical "
    "Medicine and Hygiene;0002963;1476164;United States",
    "conferences": "ASTMH Annual Meeting;ASTMH 2019;National Harbor, MD, USA|"
    "Multilateral Initiative on Malaria Pan-African Conference;MIM 2018;Dakar, Senegal",
    "applicants": "gsk|sanofi|nih|oxford|pasteur|novartis",
    "trans": {
        "de": "Malaria|Impfstoff|Parasit|Antigen|Infektion|Mücke|Antikörper|Immunität",
        "fr": "paludisme|vaccin|parasite|antigène|infection|moustique|anticorps|immunité",
        "es": "malaria|vacuna|parásito|antígeno|infección|mosquito|anticuerpo|inmunidad",
        "ja": "マラリア|ワクチン|寄生虫|抗原|感染|蚊|抗体|免疫",
        "zh": "疟疾|疫苗|寄生虫|抗原|感染|蚊子|抗体|免疫",
        "ko": "말라리아|백신|기생충|항원|감염|모기|항체|면역",
    },
}

CRISPR: dict[str, object] = {
    "key": "crispr", "w_sch": 9, "w_pat": 10, "bio": True,
    "nouns": "CRISPR|Cas9|gene editing|guide RNA|genome|off-target effects|double-strand break|"
    "homology-directed repair|base editor|nuclease|knockout|delivery|cell line|locus|prime editing|"
    "CRISPR-Cas9|sgRNA|Cas12a|adeno-associated virus|gene therapy|mutation|donor template|"
    "non-homologous end joining|ribonucleoprotein|mosaicism|epigenome|PAM sequence|screening library|"
    "T cells|hematopoietic stem cells",
    "adjs": "targeted|efficient|precise|heritable|multiplexed|catalytically inactive|engineered|"
    "therapeutic|genome-wide|allele-specific",
    "contexts": "in human cells|in zebrafish embryos|in primary T cells|in induced pluripotent stem cells|"
    "in mouse models|in crop plants|in vivo",
    "methods": "deep sequencing|a pooled CRISPR screen|single-cell RNA sequencing|whole-genome sequencing|"
    "GUIDE-seq|structural modelling|directed evolution",
    "subjects": "cell lines|clones|embryos|mice|donors|guide RNAs",
    "objects": "CRISPR-Cas system|guide RNA|engineered Cas9 nuclease|base editing system|delivery vector|"
    "ribonucleoprotein complex|modified cell|gene editing composition",
    "gerunds": "introducing|cleaving|editing|delivering|transfecting|screening",
    "fields": "Genome editing|CRISPR|Cas9|Genetics|Molecular biology|Cell biology|Biology|Gene|Computational biology",
    "mesh": "CRISPR-Cas Systems:D064113|Gene Editing:D000072669|RNA, Guide, CRISPR-Cas Systems:D000076987|"
    "CRISPR-Associated Protein 9:D000076988|Genetic Therapy:D015316|Humans:D006801|Animals:D000818|"
    "Mutation:D009154",
    "chemicals": "RNA, Guide, CRISPR-Cas Systems:0:D000076987|CRISPR-Associated Protein 9:EC 3.1.-:D000076988|"
    "Endonucleases:EC 3.1.-:D004720|DNA:9007-49-2:D004247",
    "cpc": "C12N15/11|C12N9/22|C12N15/102|C12N2310/20|C12N15/907|A61K48/00|C12N15/63|C12N2800/80|C12N15/113",
    "national": "435/462|435/320.1|536/23.1",
    "asjc": "Genetics:1311|Molecular Biology:1312|Biotechnology:1305|Cell Biology:1307",
    "organisms": "Streptococcus pyogenes:1314|Homo sapiens:9606|Mus musculus:10090|synthetic construct:32630",
    "journals": "Nature Biotechnology;Nat Biotechnol;Springer Nature;1087015;1546169;United States|"
    "Nucleic Acids Research;Nucleic Acids Res;Oxford University Press;0305104;1362496;United Kingdom|"
    "Cell;Cell;Cell Press;0092867;1097417;United States|"
    "The CRISPR Journal;CRISPR J;Mary Ann Liebert Inc.;2573159;2573160;United States|"
    "Nature;Nature;Springer Nature;0028083;1476468;United Kingdom",
    "conferences": "Genome Engineering: CRISPR Frontiers;CSHL 2020;Cold Spring Harbor, NY, USA",
    "applicants": "broad|ucal|editas|crisprtx|harvard|mit",
    "trans": {
        "de": "Genomeditierung|Nuklease|Leit-RNA|Genom|Zelle|Mutation|Gentherapie|Sequenz",
        "fr": "édition génomique|nucléase|ARN guide|génome|cellule|mutation|thérapie génique|séquence",
        "es": "edición genómica|nucleasa|ARN guía|genoma|célula|mutación|terapia génica|secuencia",
        "ja": "ゲノム編集|ヌクレアーゼ|ガイドRNA|ゲノム|細胞|変異|遺伝子治療|配列",
        "zh": "基因编辑|核酸酶|向导RNA|基因组|细胞|突变|基因治疗|序列",
        "ko": "유전자 편집|뉴클레아제|가이드 RNA|게놈|세포|돌연변이|유전자 치료|서열",
    },
}

CRYSTAL: dict[str, object] = {
    "key": "crystallography", "w_sch": 8, "w_pat": 4, "bio": True,
    "nouns": "crystal structure|protein|X-ray crystallography|diffraction|resolution|crystals|"
    "active site|ligand|X-ray analysis|electron density|binding pocket|conformation|enzyme|"
    "synchrotron|crystallization|unit cell|space group|refinement|cryo-electron microscopy|complex|"
    "hydrogen bond|molecular replacement|structure determination|dimer|inhibitor",
    "adjs": "high-resolution|structural|crystalline|apo|monoclinic|asymmetric|conserved|allosteric|"
    "disordered|orthorhombic",
    "contexts": "at 1.8 Å resolution|at 100 K|in complex with its substrate|in the asymmetric unit|"
    "at a synchrotron beamline|under cryogenic conditions",
    "methods": "X-ray diffraction|molecular replacement|molecular dynamics simulations|"
    "isothermal titration calorimetry|serial femtosecond crystallography|small-angle X-ray scattering",
    "subjects": "crystals|structures|mutants|complexes|datasets",
    "objects": "protein crystal|crystallization apparatus|X-ray diffraction system|crystal form|"
    "sample holder|crystallization screen",
    "gerunds": "crystallizing|irradiating|diffracting|measuring|mounting|cooling",
    "fields": "Crystallography|X-ray crystallography|Crystal structure|Chemistry|Biochemistry|"
    "Protein structure|Stereochemistry|Biophysics",
    "mesh": "Crystallography, X-Ray:D018360|Protein Conformation:D011487|Models, Molecular:D008958|"
    "Binding Sites:D001665|Catalytic Domain:D020134|Proteins:D011506",
    "chemicals": "Proteins:0:D011506|Ligands:0:D008024|Enzyme Inhibitors:0:D004791",
    "cpc": "G01N23/20|G01N23/2055|C07K1/306|C30B29/58|G16B15/20|C30B7/00|G01N2223/056",
    "national": "378/73|117/68|530/350",
    "asjc": "Structural Biology:1315|Biochemistry:1303|Condensed Matter Physics:3104|"
    "Inorganic Chemistry:1604",
    "organisms": "Escherichia coli:562|Homo sapiens:9606|Thermus thermophilus:274",
    "journals": "Acta Crystallographica Section D: Structural Biology;Acta Crystallogr D Struct Biol;"
    "International Union of Crystallography;2059798;;United Kingdom|"
    "Journal of Molecular Biology;J Mol Biol;Elsevier BV;0022283;1089863;United Kingdom|"
    "Structure;Structure;Cell Press;0969212;1878418;United States|"
    "Journal of Applied Crystallography;J Appl Crystallogr;International Union of Crystallography;"
    "0021889;1600576;United Kingdom",
    "conferences": "European Crystallographic Meeting;ECM 32;Vienna, Austria|"
    "American Crystallographic Association Annual Meeting;ACA 2019;Covington, KY, USA",
    "applicants": "bruker|rigaku|roche|mit",
    "trans": {
        "de": "Kristallstruktur|Protein|Röntgenbeugung|Kristall|Auflösung|Enzym|Ligand|Messung",
        "fr": "structure cristalline|protéine|diffraction des rayons X|cristal|résolution|enzyme|ligand|mesure",
        "es": "estructura cristalina|proteína|difracción de rayos X|cristal|resolución|enzima|ligando|medida",
        "ja": "結晶構造|タンパク質|X線回折|結晶|分解能|酵素|リガンド|測定",
        "zh": "晶体结构|蛋白质|X射线衍射|晶体|分辨率|酶|配体|测量",
        "ko": "결정 구조|단백질|X선 회절|결정|분해능|효소|리간드|측정",
    },
}

ONCOLOGY: dict[str, object] = {
    "key": "oncology", "w_sch": 12, "w_pat": 9, "bio": True,
    "nouns": "cancer|tumor|patients|chemotherapy|survival|prostate cancer|metastasis|immunotherapy|"
    "monoclonal antibody|docetaxel|progression-free survival|breast cancer|biomarker|toxicity|"
    "checkpoint inhibitor|carcinoma|response rate|PD-1|angiogenesis|lung cancer|receptor|"
    "overall survival|radiotherapy|resistance|mitoxantrone",
    "adjs": "metastatic|advanced|castration-resistant|randomised|malignant|refractory|adjuvant|"
    "neoadjuvant|targeted|recurrent",
    "contexts": "in patients with metastatic disease|in a phase III trial|after first-line therapy|"
    "in xenograft models|in elderly patients|in routine clinical practice",
    "methods": "a randomised phase II trial|a retrospective cohort analysis|immunohistochemistry|"
    "next-generation sequencing|a multicentre study|Kaplan-Meier analysis",
    "subjects": "patients|tumors|cell lines|samples|men|women",
    "objects": "antibody|pharmaceutical composition|antibody-drug conjugate|kinase inhibitor|"
    "combination therapy|diagnostic assay|chimeric antigen receptor",
    "gerunds": "administering|treating|inhibiting|detecting|conjugating|binding",
    "fields": "Oncology|Cancer research|Internal medicine|Medicine|Prostate cancer|Immunotherapy|"
    "Chemotherapy|Cancer|Pathology",
    "mesh": "Antineoplastic Combined Chemotherapy Protocols:D000971|Prostatic Neoplasms:D011471|"
    "Antibodies, Monoclonal:D000911|Neoplasm Metastasis:D009362|Disease Progression:D018450|"
    "Humans:D006801|Male:D008297|Aged:D000368|Adult:D000328|Middle Aged:D008875",
    "chemicals": "Antibodies, Monoclonal:0:D000911|Docetaxel:15H5577CQD:D000077143|"
    "Mitoxantrone:BZ114NVM5P:D008942|Prednisone:VB0R961HZT:D011241|Taxoids:0:D043823|"
    "cixutumumab:2285XW22DR:C526578",
    "cpc": "A61K39/395|C07K16/28|A61P35/00|A61K31/337|A61K2039/505|C07K16/2863|A61K45/06|G01N33/574",
    "national": "424/133.1|514/449|530/387.3",
    "asjc": "Oncology:2730|Cancer Research:1306|Pharmacology (medical):2736|Hematology:2720",
    "organisms": "Homo sapiens:9606|Mus musculus:10090",
    "journals": "European Journal of Cancer;Eur J Cancer;Elsevier Limited;0959804;1879085;United Kingdom|"
    "Journal of Clinical Oncology;J Clin Oncol;American Society of Clinical Oncology;0732183;1527775;"
    "United States|Clinical Cancer Research;Clin Cancer Res;American Association for Cancer Research;"
    "1078043;1557326;United States|The Lancet Oncology;Lancet Oncol;Elsevier Limited;1470204;1474548;"
    "United Kingdom|Cancer Research;Cancer Res;American Association for Cancer Research;0008547;1538744;"
    "United States",
    "conferences": "ASCO Annual Meeting;ASCO 2021;Chicago, IL, USA|ESMO Congress;ESMO 2019;Barcelona, Spain",
    "applicants": "lilly|roche|genentech|pfizer|novartis|bayer",
    "trans": {
        "de": "Krebs|Tumor|Patienten|Chemotherapie|Antikörper|Überleben|Metastasen|Behandlung",
        "fr": "cancer|tumeur|patients|chimiothérapie|anticorps|survie|métastases|traitement",
        "es": "cáncer|tumor|pacientes|quimioterapia|anticuerpo|supervivencia|metástasis|tratamiento",
        "ja": "がん|腫瘍|患者|化学療法|抗体|生存|転移|治療",
        "zh": "癌症|肿瘤|患者|化疗|抗体|生存|转移|治疗",
        "ko": "암|종양|환자|화학요법|항체|생존|전이|치료",
    },
}

AGRI: dict[str, object] = {
    "key": "agriculture", "w_sch": 9, "w_pat": 9, "bio": True,
    "nouns": "crop|yield|soil|plants|wheat|maize|drought tolerance|fertilizer|irrigation|nitrogen|"
    "rice|herbicide|cultivar|pest|seed|grain|transgenic plant|biomass|photosynthesis|rhizosphere|"
    "soybean|field trials|pesticide|canopy|greenhouse",
    "adjs": "agronomic|herbicide-tolerant|transgenic|drought-tolerant|organic|sustainable|arable|"
    "high-yielding|salt-tolerant",
    "contexts": "under field conditions|in semi-arid regions|across three growing seasons|"
    "under water deficit|in the North China Plain|in smallholder farms",
    "methods": "a split-plot field experiment|QTL mapping|remote sensing|a meta-analysis of field trials|"
    "genome-wide association mapping|life cycle assessment",
    "subjects": "plots|cultivars|farms|accessions|seedlings",
    "objects": "herbicidal composition|transgenic plant|seed treatment|fertilizer composition|"
    "irrigation system|plant growth regulator|harvesting machine",
    "gerunds": "applying|cultivating|irrigating|harvesting|spraying|breeding",
    "fields": "Agronomy|Agriculture|Horticulture|Biology|Crop yield|Soil water|Environmental science|"
    "Economics",
    "mesh": "Crops, Agricultural:D018556|Triticum:D014908|Zea mays:D003313|Soil:D012987|"
    "Plants, Genetically Modified:D030821|Droughts:D055864",
    "chemicals": "Fertilizers:0:D005308|Herbicides:0:D006540|Nitrogen:N762921K75:D009584|Soil:0:D012987",
    "cpc": "A01H5/10|A01N43/40|C12N15/8274|A01G22/00|A01B79/005|C05G3/00|A01H6/46|Y02A40/146",
    "national": "800/300|504/100|47/58.1",
    "asjc": "Agronomy and Crop Science:1102|Soil Science:1111|Plant Science:1110|"
    "Agricultural and Biological Sciences (miscellaneous):1101",
    "organisms": "Zea mays:4577|Triticum aestivum:4565|Oryza sativa:4530|Glycine max:3847",
    "journals": "Field Crops Research;Field Crops Res;Elsevier BV;0378429;1872685;Netherlands|"
    "Agronomy Journal;Agron J;Wiley;0002196;1435064;United States|"
    "Frontiers in Plant Science;Front Plant Sci;Frontiers Media S.A.;;1664462;Switzerland|"
    "Agricultural Water Management;Agric Water Manag;Elsevier BV;0378377;1873228;Netherlands",
    "conferences": "International Crop Science Congress;ICSC 2016;Beijing, China",
    "applicants": "syngenta|monsanto|pioneer|basf|bayer",
    "trans": {
        "de": "Pflanze|Ertrag|Boden|Weizen|Mais|Dünger|Bewässerung|Saatgut",
        "fr": "plante|rendement|sol|blé|maïs|engrais|irrigation|semence",
        "es": "planta|rendimiento|suelo|trigo|maíz|fertilizante|riego|semilla",
        "ja": "植物|収量|土壌|小麦|トウモロコシ|肥料|灌漑|種子",
        "zh": "植物|产量|土壤|小麦|玉米|肥料|灌溉|种子",
        "ko": "식물|수확량|토양|밀|옥수수|비료|관개|종자",
    },
}

DENTAL: dict[str, object] = {
    "key": "dental", "w_sch": 4, "w_pat": 3, "bio": True,
    "nouns": "dental implant|teeth|enamel|caries|periodontitis|composite resin|orthodontic treatment|"
    "dentin|fluoride|oral health|root canal|bond strength|restoration|gingiva|saliva",
    "adjs": "periodontal|endodontic|restorative|orthodontic|oral|fluoridated|adhesive",
    "contexts": "in adolescents|in vitro|in a dental school clinic|after six months of follow-up",
    "methods": "a split-mouth randomized trial|scanning electron microscopy|finite element analysis|"
    "a cross-sectional survey",
    "subjects": "patients|teeth|specimens|children|implants",
    "objects": "dental implant|orthodontic appliance|dental composition|toothbrush|aligner|bonding agent",
    "gerunds": "bonding|restoring|polishing|aligning|implanting|whitening",
    "fields": "Dentistry|Orthodontics|Medicine|Periodontitis|Materials science",
    "mesh": "Dental Caries:D003731|Dental Implants:D015921|Periodontitis:D010518|Composite Resins:D003188",
    "chemicals": "Composite Resins:0:D003188|Fluorides:0:D005459|Dental Cements:0:D003738",
    "cpc": "A61C8/00|A61C13/0004|A61K6/887|A61C7/08|A61Q11/00|A61K8/21",
    "national": "433/173|433/6|424/52",
    "asjc": "Dentistry (miscellaneous):3501|Oral Surgery:3504|Orthodontics:3503",
    "organisms": "Homo sapiens:9606|Streptococcus mutans:1309",
    "journals": "The Journal of Contemporary Dental Practice;J Contemp Dent Pract;Jaypee Brothers Medical "
    "Publishers;1526373;;India|Journal of Dental Research;J Dent Res;SAGE Publications Inc.;0022034;1544059;"
    "United States|Journal of Dentistry;J Dent;Elsevier Limited;0300571;1879176;United Kingdom",
    "conferences": "IADR/AADR General Session;IADR 2020;Washington, DC, USA",
    "applicants": "3m|dentsply|ivoclar|colgate",
    "trans": {
        "de": "Zahn|Zahnimplantat|Zahnschmelz|Karies|Füllung|Mundgesundheit|Kieferorthopädie|Harz",
        "fr": "dent|implant dentaire|émail|carie|restauration|santé bucco-dentaire|orthodontie|résine",
        "es": "diente|implante dental|esmalte|caries|restauración|salud bucal|ortodoncia|resina",
        "ja": "歯|歯科インプラント|エナメル質|う蝕|修復|口腔衛生|矯正|樹脂",
        "zh": "牙齿|种植体|牙釉质|龋齿|修复|口腔健康|正畸|树脂",
        "ko": "치아|임플란트|법랑질|충치|수복|구강 건강|교정|레진",
    },
}

RAW: tuple[dict[str, object], ...] = (MALARIA, CRISPR, CRYSTAL, ONCOLOGY, AGRI, DENTAL)
