"""Display names of the codes found in the data, in Chinese and English: one list for the dashboard and the PDF brief."""

from __future__ import annotations

# Provinces: regions are stored by their Chinese name (or a 6-digit code, see app/i18n.py).
# fmt: off
PROVINCES: dict[str, tuple[str, str]] = {
    "北京": ("北京", "Beijing"), "天津": ("天津", "Tianjin"), "河北": ("河北", "Hebei"),
    "山西": ("山西", "Shanxi"), "内蒙古": ("内蒙古", "Inner Mongolia"), "辽宁": ("辽宁", "Liaoning"),
    "吉林": ("吉林", "Jilin"), "黑龙江": ("黑龙江", "Heilongjiang"), "上海": ("上海", "Shanghai"),
    "江苏": ("江苏", "Jiangsu"), "浙江": ("浙江", "Zhejiang"), "安徽": ("安徽", "Anhui"),
    "福建": ("福建", "Fujian"), "江西": ("江西", "Jiangxi"), "山东": ("山东", "Shandong"),
    "河南": ("河南", "Henan"), "湖北": ("湖北", "Hubei"), "湖南": ("湖南", "Hunan"),
    "广东": ("广东", "Guangdong"), "广西": ("广西", "Guangxi"), "海南": ("海南", "Hainan"),
    "重庆": ("重庆", "Chongqing"), "四川": ("四川", "Sichuan"), "贵州": ("贵州", "Guizhou"),
    "云南": ("云南", "Yunnan"), "西藏": ("西藏", "Tibet"), "陕西": ("陕西", "Shaanxi"),
    "甘肃": ("甘肃", "Gansu"), "青海": ("青海", "Qinghai"), "宁夏": ("宁夏", "Ningxia"),
    "新疆": ("新疆", "Xinjiang"), "台湾": ("台湾", "Taiwan"), "香港": ("香港", "Hong Kong"),
    "澳门": ("澳门", "Macao"),
}
# fmt: on

# Display names of codes found in the data: (Chinese, English).
CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "risk_level": {"high": ("高风险", "High"), "medium": ("中风险", "Medium"), "low": ("低风险", "Low")},
    "harm": {
        "fraud": ("欺诈与虚假宣传", "Fraud and false advertising"),
        "fake_trade": ("刷单", "Fake trades"),
        "after_sales": ("售后服务", "After-sales service"),
        "license": ("证照", "Licences"),
    },
    "complaint_category": {
        "false_advertising": ("虚假宣传", "False advertising"),
        "counterfeit": ("假冒伪劣", "Counterfeit"),
        "quality": ("质量问题", "Quality"),
        "fraud": ("欺诈", "Fraud"),
        "non_delivery": ("未发货", "Non-delivery"),
        "refund_refused": ("拒绝退款", "Refund refused"),
        "after_sales": ("售后服务", "After-sales"),
        "privacy": ("个人信息", "Privacy"),
        "price": ("价格", "Price"),
        "other": ("其他", "Other"),
        "unclassified": ("未分类", "Unclassified"),
    },
    "merchant_category": {
        "服装": ("服装", "Apparel"),
        "食品": ("食品", "Food"),
        "数码": ("数码", "Electronics"),
        "美妆": ("美妆", "Beauty"),
        "母婴": ("母婴", "Mother and baby"),
        "家电": ("家电", "Appliances"),
        "医疗器械": ("医疗器械", "Medical devices"),
        "家居": ("家居", "Home"),
        "未知": ("未知", "Unknown"),
        "": ("未知", "Unknown"),
    },
    "complaint_status": {
        "open": ("待处理", "Open"),
        "in_progress": ("处理中", "In progress"),
        "resolved": ("已解决", "Resolved"),
        "closed_unresolved": ("未解决结案", "Closed unresolved"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
    "channel": {
        "12315": ("12315", "12315"),
        "hotline": ("热线", "Hotline"),
        "platform": ("平台", "Platform"),
        "web": ("网站", "Web"),
        "letter": ("信函", "Letter"),
    },
    "license_type": {
        "business_license": ("营业执照", "Business licence"),
        "food_operation": ("食品经营许可证", "Food operation"),
        "medical_device": ("医疗器械经营许可", "Medical devices"),
        "cosmetics": ("化妆品经营许可", "Cosmetics"),
        "icp": ("ICP 许可", "ICP"),
    },
    # The brief names the permit a category needs; the dashboard's licence table names the type.
    "permit": {
        "food_operation": ("食品经营许可证", "Food operation permit"),
        "medical_device": ("医疗器械经营许可", "Medical device permit"),
        "cosmetics": ("化妆品经营许可", "Cosmetics permit"),
        "icp": ("ICP 许可", "ICP licence"),
    },
    "license_status": {
        "active": ("存续", "Active"),
        "expired": ("已过期", "Expired"),
        "revoked": ("吊销", "Revoked"),
        "cancelled": ("注销", "Cancelled"),
        "abnormal": ("经营异常", "Abnormal operation"),
    },
    "load_status": {
        "loaded": ("已导入", "Loaded"),
        "rejected": ("已拒收", "Rejected"),
        "already loaded": ("已导入过", "Already loaded"),
        "skipped": ("已跳过", "Skipped"),
    },
    "dataset": {
        "platforms": ("平台", "Platforms"),
        "merchants": ("商户", "Merchants"),
        "licenses": ("证照", "Licences"),
        "transactions": ("订单", "Transactions"),
        "complaints": ("投诉", "Complaints"),
    },
    "match_method": {
        "given": ("投诉已注明", "Named in the complaint"),
        "exact": ("店名精确匹配", "Exact shop name"),
        "fuzzy": ("店名近似匹配", "Similar shop name"),
        "unmatched": ("未匹配", "Unmatched"),
    },
    "ring_method": {
        "dense_subgraph": ("稠密子图", "Dense subgraph"),
        "lockstep": ("同步下单", "Lockstep"),
    },
    "province": PROVINCES,
}
