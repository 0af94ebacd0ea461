"""The small bilingual world the built-in model knows: every fact the corpus states and the tasks ask.

Facts are real (capitals, everyday words, antonyms, sums) so a user can judge the model's answers
at a glance. Each word or name appears in one fact family only where the answer must be unique
(e.g. no "orange" the colour beside "orange" the fruit, no "short" as the opposite of both "tall"
and "long").
"""
from __future__ import annotations

from typing import NamedTuple


class Country(NamedTuple):
    en: str
    zh: str
    capital_en: str
    capital_zh: str


class Word(NamedTuple):
    en: str
    zh: str
    category: str  # a key of CATEGORIES, or "" for words without a category question


class Antonym(NamedTuple):
    en: tuple[str, str]
    zh: tuple[str, str]


COUNTRIES = [Country(*row) for row in [
    ("France", "法国", "Paris", "巴黎"), ("Germany", "德国", "Berlin", "柏林"),
    ("Italy", "意大利", "Rome", "罗马"), ("Spain", "西班牙", "Madrid", "马德里"),
    ("Portugal", "葡萄牙", "Lisbon", "里斯本"), ("Japan", "日本", "Tokyo", "东京"),
    ("China", "中国", "Beijing", "北京"), ("Russia", "俄罗斯", "Moscow", "莫斯科"),
    ("Egypt", "埃及", "Cairo", "开罗"), ("Greece", "希腊", "Athens", "雅典"),
    ("Austria", "奥地利", "Vienna", "维也纳"), ("Poland", "波兰", "Warsaw", "华沙"),
    ("Norway", "挪威", "Oslo", "奥斯陆"), ("Sweden", "瑞典", "Stockholm", "斯德哥尔摩"),
    ("Finland", "芬兰", "Helsinki", "赫尔辛基"), ("Denmark", "丹麦", "Copenhagen", "哥本哈根"),
    ("Ireland", "爱尔兰", "Dublin", "都柏林"), ("Belgium", "比利时", "Brussels", "布鲁塞尔"),
    ("the Netherlands", "荷兰", "Amsterdam", "阿姆斯特丹"), ("Hungary", "匈牙利", "Budapest", "布达佩斯"),
    ("Thailand", "泰国", "Bangkok", "曼谷"), ("Vietnam", "越南", "Hanoi", "河内"),
    ("Indonesia", "印度尼西亚", "Jakarta", "雅加达"), ("the Philippines", "菲律宾", "Manila", "马尼拉"),
    ("South Korea", "韩国", "Seoul", "首尔"), ("India", "印度", "New Delhi", "新德里"),
    ("Pakistan", "巴基斯坦", "Islamabad", "伊斯兰堡"), ("Iran", "伊朗", "Tehran", "德黑兰"),
    ("Turkey", "土耳其", "Ankara", "安卡拉"), ("Kenya", "肯尼亚", "Nairobi", "内罗毕"),
    ("Ethiopia", "埃塞俄比亚", "Addis Ababa", "亚的斯亚贝巴"), ("Nigeria", "尼日利亚", "Abuja", "阿布贾"),
    ("Peru", "秘鲁", "Lima", "利马"), ("Chile", "智利", "Santiago", "圣地亚哥"),
    ("Argentina", "阿根廷", "Buenos Aires", "布宜诺斯艾利斯"), ("Mexico", "墨西哥", "Mexico City", "墨西哥城"),
    ("Canada", "加拿大", "Ottawa", "渥太华"), ("Cuba", "古巴", "Havana", "哈瓦那"),
    ("Australia", "澳大利亚", "Canberra", "堪培拉"), ("New Zealand", "新西兰", "Wellington", "惠灵顿"),
    ("Brazil", "巴西", "Brasilia", "巴西利亚"), ("Colombia", "哥伦比亚", "Bogota", "波哥大"),
    ("Morocco", "摩洛哥", "Rabat", "拉巴特"), ("Saudi Arabia", "沙特阿拉伯", "Riyadh", "利雅得"),
    ("Iraq", "伊拉克", "Baghdad", "巴格达"), ("Ukraine", "乌克兰", "Kyiv", "基辅"),
    ("the Czech Republic", "捷克", "Prague", "布拉格"), ("Switzerland", "瑞士", "Bern", "伯尔尼"),
    ("Mongolia", "蒙古", "Ulaanbaatar", "乌兰巴托"), ("Nepal", "尼泊尔", "Kathmandu", "加德满都"),
    ("Malaysia", "马来西亚", "Kuala Lumpur", "吉隆坡"), ("the United Kingdom", "英国", "London", "伦敦"),
    ("the United States", "美国", "Washington", "华盛顿"), ("Bangladesh", "孟加拉国", "Dhaka", "达卡"),
    ("Afghanistan", "阿富汗", "Kabul", "喀布尔"), ("Syria", "叙利亚", "Damascus", "大马士革"),
    ("Lebanon", "黎巴嫩", "Beirut", "贝鲁特"), ("Jordan", "约旦", "Amman", "安曼"),
    ("Ghana", "加纳", "Accra", "阿克拉"), ("Senegal", "塞内加尔", "Dakar", "达喀尔"),
    ("Romania", "罗马尼亚", "Bucharest", "布加勒斯特"), ("Bulgaria", "保加利亚", "Sofia", "索非亚"),
    ("Serbia", "塞尔维亚", "Belgrade", "贝尔格莱德"), ("Iceland", "冰岛", "Reykjavik", "雷克雅未克"),
    ("Venezuela", "委内瑞拉", "Caracas", "加拉加斯"), ("Cambodia", "柬埔寨", "Phnom Penh", "金边"),
    ("Laos", "老挝", "Vientiane", "万象"), ("Qatar", "卡塔尔", "Doha", "多哈"),
    ("Sudan", "苏丹", "Khartoum", "喀土穆"), ("Uganda", "乌干达", "Kampala", "坎帕拉"),
    ("Zimbabwe", "津巴布韦", "Harare", "哈拉雷"), ("Angola", "安哥拉", "Luanda", "罗安达"),
    ("Ecuador", "厄瓜多尔", "Quito", "基多"), ("Uruguay", "乌拉圭", "Montevideo", "蒙得维的亚"),
    ("Jamaica", "牙买加", "Kingston", "金斯敦"),
]]

# Category key -> (English name, Chinese name).
CATEGORIES = {
    "animal": ("animal", "动物"), "fruit": ("fruit", "水果"), "vegetable": ("vegetable", "蔬菜"),
    "color": ("color", "颜色"), "vehicle": ("vehicle", "交通工具"), "tool": ("tool", "工具"),
    "body": ("body part", "身体部位"), "instrument": ("musical instrument", "乐器"),
    "furniture": ("piece of furniture", "家具"), "drink": ("drink", "饮料"),
}

_WORDS_BY_CATEGORY = {
    "animal": "cat 猫, dog 狗, horse 马, cow 牛, sheep 羊, pig 猪, bird 鸟, fish 鱼, tiger 老虎, lion 狮子, "
              "elephant 大象, monkey 猴子, rabbit 兔子, bear 熊, wolf 狼, fox 狐狸, duck 鸭子, chicken 鸡, "
              "mouse 老鼠, snake 蛇, frog 青蛙, deer 鹿, panda 熊猫, whale 鲸鱼, bee 蜜蜂, ant 蚂蚁",
    "fruit": "apple 苹果, banana 香蕉, orange 橙子, grape 葡萄, pear 梨, peach 桃子, lemon 柠檬, "
             "watermelon 西瓜, strawberry 草莓, cherry 樱桃, mango 芒果, pineapple 菠萝",
    "vegetable": "carrot 胡萝卜, potato 土豆, tomato 西红柿, cabbage 白菜, onion 洋葱, cucumber 黄瓜, "
                 "pumpkin 南瓜, corn 玉米, eggplant 茄子, spinach 菠菜",
    "color": "red 红色, blue 蓝色, green 绿色, yellow 黄色, black 黑色, white 白色, purple 紫色, "
             "pink 粉色, brown 棕色, gray 灰色",
    "vehicle": "car 汽车, bus 公共汽车, train 火车, plane 飞机, ship 轮船, bicycle 自行车, truck 卡车, "
               "subway 地铁, motorcycle 摩托车, taxi 出租车",
    "tool": "hammer 锤子, knife 刀, scissors 剪刀, saw 锯子, shovel 铁锹, needle 针, brush 刷子, ruler 尺子",
    "body": "hand 手, foot 脚, eye 眼睛, ear 耳朵, nose 鼻子, mouth 嘴巴, head 头, hair 头发, tooth 牙齿, "
            "heart 心脏",
    "instrument": "piano 钢琴, guitar 吉他, drum 鼓, violin 小提琴, flute 长笛, trumpet 小号",
    "furniture": "table 桌子, chair 椅子, bed 床, sofa 沙发, desk 书桌, bookshelf 书架, wardrobe 衣柜",
    "drink": "water 水, milk 牛奶, tea 茶, coffee 咖啡, juice 果汁",
    "": "sun 太阳, moon 月亮, star 星星, river 河流, mountain 高山, sea 大海, tree 树木, flower 花朵, "
        "rain 雨水, snow 雪花, wind 风, cloud 云朵, book 书, house 房子, school 学校, city 城市, "
        "friend 朋友, teacher 老师, doctor 医生, student 学生, door 门, window 窗户, road 道路, "
        "garden 花园, bridge 桥, village 村庄, forest 森林, island 岛屿",
}

WORDS = [Word(*pair.split(" "), category)
         for category, text in _WORDS_BY_CATEGORY.items() for pair in text.split(", ")]

ANTONYMS = [Antonym(tuple(en.split("/")), tuple(zh.split("/"))) for en, zh in [
    ("hot/cold", "热/冷"), ("big/small", "大/小"), ("fast/slow", "快/慢"), ("happy/sad", "高兴/难过"),
    ("good/bad", "好/坏"), ("up/down", "上/下"), ("left/right", "左/右"), ("open/closed", "开/关"),
    ("rich/poor", "富/穷"), ("early/late", "早/晚"), ("full/empty", "满/空"), ("hard/soft", "硬/软"),
    ("heavy/light", "重/轻"), ("strong/weak", "强/弱"), ("clean/dirty", "干净/脏"), ("new/old", "新/旧"),
    ("wet/dry", "湿/干"), ("tall/short", "高/矮"), ("thick/thin", "厚/薄"), ("deep/shallow", "深/浅"),
    ("wide/narrow", "宽/窄"), ("near/far", "近/远"), ("day/night", "白天/黑夜"), ("buy/sell", "买/卖"),
    ("win/lose", "赢/输"), ("push/pull", "推/拉"), ("true/false", "真/假"), ("inside/outside", "里面/外面"),
    ("easy/difficult", "容易/困难"), ("quiet/noisy", "安静/吵闹"), ("cheap/expensive", "便宜/昂贵"),
    ("beautiful/ugly", "美丽/丑陋"), ("sweet/bitter", "甜/苦"), ("begin/end", "开始/结束"),
    ("love/hate", "爱/恨"), ("laugh/cry", "笑/哭"), ("question/answer", "问题/答案"),
    ("front/back", "前面/后面"), ("morning/evening", "早上/晚上"), ("safe/dangerous", "安全/危险"),
]]

def a(word: str) -> str:
    """English indefinite article + word: "an apple", "a cat"."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


ZH_DIGITS = "零一二三四五六七八九十"


def zh_number(n: int) -> str:
    """0..99 in Chinese numerals (十二, 二十, 二十三), the way a sum is read aloud."""
    if n <= 10:
        return ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else ZH_DIGITS[tens]) + "十" + (ZH_DIGITS[ones] if ones else "")


EN_NUMBERS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
              "fifteen sixteen seventeen eighteen nineteen twenty").split()

# Sums a + b with both terms 1..9: small enough to state every one many times in the corpus.
SUMS = [(a, b) for a in range(1, 10) for b in range(1, 10)]
