"""Raw vocabulary of the engineering and social-science topic clusters (format: ``topics``)."""

from __future__ import annotations

BATTERY: dict[str, object] = {
    "key": "battery", "w_sch": 10, "w_pat": 14, "bio": False,
    "nouns": "battery|electric vehicle|lithium-ion battery|cathode|anode|electrolyte|charging|"
    "energy density|state of charge|cycle life|battery pack|capacity|solid-state electrolyte|"
    "thermal runaway|battery management system|graphite|separator|power grid|wind turbine|"
    "EV battery|silicon anode|fast charging|degradation|inverter|energy storage|nickel-rich cathode|"
    "charging station|supercapacitor|sodium-ion battery|renewable energy",
    "adjs": "rechargeable|high-voltage|solid-state|electric|thermal|electrochemical|high-capacity|"
    "lithium-rich|bidirectional|modular",
    "contexts": "at high C-rates|under low-temperature conditions|for electric vehicles|"
    "in grid-scale storage|over 1000 cycles|in hybrid powertrains",
    "methods": "electrochemical impedance spectroscopy|density functional theory calculations|"
    "a Kalman filter|cyclic voltammetry|in situ X-ray diffraction|an equivalent circuit model",
    "subjects": "cells|modules|vehicles|batteries|samples",
    "objects": "battery pack|lithium-ion battery|electrode active material|battery management system|"
    "charging device|electric vehicle|cooling plate|wind turbine blade|power converter",
    "gerunds": "charging|discharging|cooling|estimating|coating|balancing",
    "fields": "Battery (electricity)|Electric vehicle|Materials science|Electrical engineering|"
    "Engineering|Automotive engineering|Chemistry|Energy storage|Economics",
    "cpc": "H01M10/0525|H01M4/525|H01M10/44|B60L58/12|H01M50/204|H02J7/0047|Y02E60/10|Y02T10/70|"
    "B60L53/80|H01M4/133|Y02E10/70|H02J3/381",
    "national": "429/231.95|320/134|180/65.1",
    "asjc": "Energy Engineering and Power Technology:2102|Electrochemistry:1603|"
    "Renewable Energy, Sustainability and the Environment:2105|Automotive Engineering:2203",
    "journals": "Journal of Power Sources;J Power Sources;Elsevier BV;0378775;1873275;Netherlands|"
    "Nature Energy;Nat Energy;Springer Nature;;2058754;United Kingdom|"
    "Energy & Environmental Science;Energy Environ Sci;Royal Society of Chemistry;1754569;1754570;"
    "United Kingdom|IEEE Transactions on Vehicular Technology;IEEE Trans Veh Technol;Institute of "
    "Electrical and Electronics Engineers Inc.;0018954;1939935;United States|"
    "Electrochimica Acta;Electrochim Acta;Elsevier Limited;0013468;1873385;United Kingdom",
    "conferences": "IEEE Vehicle Power and Propulsion Conference;VPPC 2020;Gijón, Spain|"
    "International Battery Association Meeting;IBA 2019;La Jolla, CA, USA",
    "applicants": "lgchem|samsung|panasonic|toyota|tesla|catl|byd|bosch|siemens",
    "trans": {
        "de": "Batterie|Elektrofahrzeug|Kathode|Anode|Elektrolyt|Ladung|Energiedichte|Batteriemodul",
        "fr": "batterie|véhicule électrique|cathode|anode|électrolyte|charge|densité d'énergie|module",
        "es": "batería|vehículo eléctrico|cátodo|ánodo|electrolito|carga|densidad energética|módulo",
        "ja": "電池|電気自動車|正極|負極|電解質|充電|エネルギー密度|電池パック",
        "zh": "电池|电动汽车|正极|负极|电解质|充电|能量密度|电池组",
        "ko": "배터리|전기 자동차|양극|음극|전해질|충전|에너지 밀도|배터리 팩",
    },
}

SEMI: dict[str, object] = {
    "key": "semiconductor", "w_sch": 9, "w_pat": 16, "bio": False,
    "nouns": "semiconductor|transistor|substrate|gate electrode|wafer|dielectric layer|silicon|"
    "etching|lithography|nanotechnology|thin film|channel|memory cell|FinFET|gallium nitride|"
    "leakage current|deposition|interconnect|threshold voltage|photoresist|quantum dots|"
    "graphene|nanowire|chip|packaging",
    "adjs": "semiconductor|epitaxial|high-k|two-dimensional|nanoscale|low-power|vertical|"
    "amorphous|ferroelectric|p-type|n-type",
    "contexts": "at the 5 nm node|on a silicon substrate|at room temperature|"
    "for power electronics|in three-dimensional integration",
    "methods": "atomic layer deposition|transmission electron microscopy|TCAD simulation|"
    "Raman spectroscopy|chemical vapour deposition|electron-beam lithography",
    "subjects": "devices|wafers|samples|transistors|chips",
    "objects": "semiconductor device|transistor|memory device|integrated circuit|display panel|"
    "light-emitting diode|image sensor|semiconductor package",
    "gerunds": "forming|depositing|etching|patterning|annealing|bonding",
    "fields": "Materials science|Optoelectronics|Electrical engineering|Semiconductor|Transistor|"
    "Nanotechnology|Condensed matter physics|Physics",
    "cpc": "H01L21/02|H01L29/78|H01L21/3065|H01L27/092|H01L23/48|H01L21/8234|B82Y10/00|"
    "H01L29/66795|G03F7/20|H10B12/00",
    "national": "257/E21.001|438/478|257/401",
    "asjc": "Electrical and Electronic Engineering:2208|Electronic, Optical and Magnetic Materials:2504|"
    "Condensed Matter Physics:3104|Materials Chemistry:2505",
    "journals": "IEEE Electron Device Letters;IEEE Electron Device Lett;Institute of Electrical and "
    "Electronics Engineers Inc.;0741310;1558056;United States|Applied Physics Letters;Appl Phys Lett;"
    "American Institute of Physics;0003695;1077311;United States|Nano Letters;Nano Lett;American Chemical "
    "Society;1530698;1530699;United States|Nature Electronics;Nat Electron;Springer Nature;;2520113;"
    "United Kingdom",
    "conferences": "IEEE International Electron Devices Meeting;IEDM 2019;San Francisco, CA, USA|"
    "Symposium on VLSI Technology;VLSI 2021;Kyoto, Japan",
    "applicants": "intel|tsmc|samsung|amat|asml|ibm|sony|huawei",
    "trans": {
        "de": "Halbleiter|Transistor|Substrat|Gateelektrode|Wafer|Schicht|Silizium|Ätzen",
        "fr": "semi-conducteur|transistor|substrat|électrode de grille|plaquette|couche|silicium|gravure",
        "es": "semiconductor|transistor|sustrato|electrodo de puerta|oblea|capa|silicio|grabado",
        "ja": "半導体|トランジスタ|基板|ゲート電極|ウェハ|絶縁層|シリコン|エッチング",
        "zh": "半导体|晶体管|衬底|栅极|晶圆|介电层|硅|刻蚀",
        "ko": "반도체|트랜지스터|기판|게이트 전극|웨이퍼|유전층|실리콘|식각",
    },
}

ML: dict[str, object] = {
    "key": "machine-learning", "w_sch": 14, "w_pat": 16, "bio": False,
    "nouns": "neural network|machine learning|deep learning|model|training data|classification|"
    "convolutional neural network|algorithm|features|accuracy|reinforcement learning|transformer|"
    "natural language processing|image recognition|prediction|dataset|embedding|inference|"
    "attention mechanism|user interface|JavaScript|web browser|recommendation system|federated learning|"
    "anomaly detection|language model|server|cloud computing",
    "adjs": "deep|supervised|unsupervised|generative|adversarial|scalable|interpretable|distributed|"
    "real-time|self-supervised|end-to-end",
    "contexts": "on benchmark datasets|on edge devices|with limited labelled data|at web scale|"
    "in medical imaging|for autonomous driving",
    "methods": "gradient boosting|cross-validation|a convolutional architecture|transfer learning|"
    "Bayesian optimisation|an ablation study",
    "subjects": "images|users|documents|samples|models",
    "objects": "computer-implemented method|neural network accelerator|data processing system|"
    "non-transitory computer-readable medium|recommendation engine|speech recognition system|"
    "web application",
    "gerunds": "training|classifying|receiving|generating|encoding|predicting",
    "fields": "Computer science|Artificial intelligence|Machine learning|Deep learning|Pattern recognition|"
    "Artificial neural network|Data mining|Programming language",
    "cpc": "G06N3/08|G06N3/04|G06N20/00|G06F16/9535|G06V10/82|G06F40/30|G06F9/451|G06F8/41|G06N3/045",
    "national": "706/15|706/20|715/234",
    "asjc": "Artificial Intelligence:1702|Computer Science Applications:1706|Software:1712|"
    "Computer Vision and Pattern Recognition:1707",
    "journals": "IEEE Transactions on Pattern Analysis and Machine Intelligence;IEEE Trans Pattern Anal Mach "
    "Intell;IEEE Computer Society;0162882;1939353;United States|Neural Networks;Neural Netw;Elsevier Limited;"
    "0893608;1879278;United Kingdom|Journal of Machine Learning Research;J Mach Learn Res;Microtome "
    "Publishing;1532443;1533792;United States|arXiv;arXiv;Cornell University;;;United States;Repository",
    "conferences": "Conference on Neural Information Processing Systems;NeurIPS 2019;Vancouver, Canada|"
    "International Conference on Machine Learning;ICML 2020;Vienna, Austria|"
    "IEEE Conference on Computer Vision and Pattern Recognition;CVPR 2021;Nashville, TN, USA",
    "applicants": "ibm|google|microsoft|tencent|huawei|samsung|sony",
    "trans": {
        "de": "neuronales Netz|maschinelles Lernen|Modell|Trainingsdaten|Klassifikation|Algorithmus|Merkmale|Server",
        "fr": "réseau neuronal|apprentissage automatique|modèle|données|classification|algorithme|serveur|prédiction",
        "es": "red neuronal|aprendizaje automático|modelo|datos|clasificación|algoritmo|servidor|predicción",
        "ja": "ニューラルネットワーク|機械学習|モデル|学習データ|分類|アルゴリズム|特徴量|サーバ",
        "zh": "神经网络|机器学习|模型|训练数据|分类|算法|特征|服务器",
        "ko": "신경망|기계 학습|모델|학습 데이터|분류|알고리즘|특징|서버",
    },
}

ECON: dict[str, object] = {
    "key": "economics", "w_sch": 8, "w_pat": 4, "bio": False,
    "nouns": "economic growth|market|inflation|firms|monetary policy|households|labour market|"
    "financial crisis|productivity|trade|carbon pricing|payment|transaction|credit risk|investment|"
    "welfare|unemployment|energy economics|blockchain|insurance",
    "adjs": "economic|fiscal|macroeconomic|financial|empirical|regional|institutional|digital",
    "contexts": "in emerging economies|in the euro area|during the COVID-19 pandemic|"
    "across OECD countries|in rural China",
    "methods": "a difference-in-differences design|panel data regression|a dynamic stochastic general "
    "equilibrium model|instrumental variables|a randomised field experiment",
    "subjects": "firms|households|countries|respondents|banks",
    "objects": "payment processing system|electronic trading platform|risk assessment system|"
    "transaction verification method|pricing engine",
    "gerunds": "processing|authenticating|pricing|settling|scoring|forecasting",
    "fields": "Economics|Econometrics|Finance|Monetary economics|Microeconomics|Macroeconomics|"
    "Economic growth|Business",
    "cpc": "G06Q40/04|G06Q30/0201|G06Q10/06|G06Q20/40|G06Q40/02|G06Q50/06|H04L9/50",
    "national": "705/35|705/39|705/7.11",
    "asjc": "Economics and Econometrics:2002|Finance:2003|Strategy and Management:1408|"
    "Development:3303",
    "journals": "American Economic Review;Am Econ Rev;American Economic Association;0002828;1944799;"
    "United States|Energy Economics;Energy Econ;Elsevier BV;0140988;1873618;Netherlands|"
    "Journal of Finance;J Finance;Wiley-Blackwell;0022108;1540626;United States|"
    "World Development;World Dev;Elsevier Limited;0305750;1873574;United Kingdom",
    "conferences": "Annual Meeting of the American Economic Association;ASSA 2020;San Diego, CA, USA",
    "applicants": "boa|mastercard|alibaba|capitalone|ibm",
    "trans": {
        "de": "Wirtschaft|Markt|Inflation|Unternehmen|Zahlung|Transaktion|Risiko|Investition",
        "fr": "économie|marché|inflation|entreprises|paiement|transaction|risque|investissement",
        "es": "economía|mercado|inflación|empresas|pago|transacción|riesgo|inversión",
        "ja": "経済|市場|インフレ|企業|決済|取引|リスク|投資",
        "zh": "经济|市场|通货膨胀|企业|支付|交易|风险|投资",
        "ko": "경제|시장|인플레이션|기업|결제|거래|위험|투자",
    },
}

RAW: tuple[dict[str, object], ...] = (BATTERY, SEMI, ML, ECON)
