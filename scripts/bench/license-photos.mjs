// The second OCR benchmark set: license photos made by a generator that shares nothing with
// server/tests/support/license_image.rs. That one draws glyphs with ab_glyph onto a fixed grid
// and warps pixels in Rust; this one lays the certificates out in HTML/CSS (real line wrapping,
// justified 名　　称 labels, serif values as printed), lets Chromium's own text stack render
// them, and makes the photo with CSS 3D transforms, light overlays, SVG noise and Chromium's
// JPEG encoder.
//
// Usage: node scripts/bench/license-photos.mjs <out dir>
// Writes <out>/<nn>-<layout>-<degradation>.jpg and <out>/truth.json:
//   [{ file, layout, degradation, width, height, fields: { reg_num, name, … } }]
// Everything is deterministic (seeded); CHROMIUM overrides /usr/bin/chromium.
import { chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: license-photos.mjs <out dir>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

// ------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32), so the set is the same on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const between = (r, lo, hi) => lo + (hi - lo) * r();
const pick = (r, list) => list[Math.floor(r() * list.length)];

// ------------------------------------------------------------------------------------------
// 统一社会信用代码 (GB 32100-2015): 17 characters, then the check character.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function uscc(first17) {
  const sum = [...first17].reduce((s, c, i) => s + ALPHABET.indexOf(c) * WEIGHTS[i], 0);
  return first17 + ALPHABET[(31 - (sum % 31)) % 31];
}

// ------------------------------------------------------------------------------------------
// Subjects. `print` is what the certificate shows where it differs from the truth (dates
// printed unpadded on older certificates); the truth is what the form should be filled with.
const SUBJECTS = [
  {
    layout: 'landscape', code: uscc('91440300MA5GQ7W4X'),
    name: '深圳市前海燚鑫供应链管理有限公司',
    kind: '有限责任公司（自然人投资或控股）', person: '欧阳赟',
    capital: '伍仟万元整', set_date: '2019年07月22日', period: '2019年07月22日至无固定期限',
    address: '深圳市前海深港合作区南山街道桂湾五路128号前海深港基金小镇对冲基金中心407室',
    authority: '深圳市市场监督管理局', reg_date: '2024年11月05日',
  },
  {
    layout: 'landscape', code: uscc('91310115MA1K4TRN2'),
    name: '喆美（上海）国际文化传播与数字创意产业发展有限公司',
    kind: '有限责任公司（港澳台法人独资）', person: '林喆',
    capital: '壹佰万美元', set_date: '2017年12月04日', period: '2017年12月04日至2047年12月03日',
    address: '中国（上海）自由贸易试验区张杨路500号华润时代广场附楼2001室',
    authority: '中国（上海）自由贸易试验区市场监督管理局', reg_date: '2025年01月15日',
  },
  {
    layout: 'landscape', code: uscc('91320594MA27QHB3L'),
    name: '苏州工业园区昇腾精密智能制造股份有限公司',
    kind: '股份有限公司（非上市、自然人投资或控股）', person: '赵堃',
    capital: '壹亿贰仟万元整', set_date: '2021年03月09日', period: '2021年03月09日至长期',
    address: '苏州工业园区星湖街328号创意产业园12幢2-3层附201号',
    authority: '苏州工业园区市场监督管理局', reg_date: '2025年01月15日',
  },
  {
    layout: 'landscape', code: uscc('91110108MA01XY3E5'),
    name: '北京堃元科技有限公司',
    kind: '有限责任公司（法人独资）', person: '张伟',
    capital: '贰仟万元整', set_date: '2018年05月30日', period: '2018年05月30日至2038年05月29日',
    address: '北京市海淀区中关村大街27号中关村大厦10层1008室',
    authority: '北京市海淀区市场监督管理局', reg_date: '2023年08月18日',
  },
  {
    layout: 'portrait', code: uscc('91330106341826475'),
    name: '杭州西溪湿地燚火餐饮管理有限公司',
    kind: '有限责任公司（自然人独资）', person: '钱昇',
    capital: '伍佰万元整', set_date: '2015年06月08日', set_print: '2015年6月8日',
    period: '2015年6月8日至2035年6月7日',
    address: '浙江省杭州市西湖区天目山路398号古荡科技大厦附楼3层302室',
    authority: '杭州市西湖区市场监督管理局', reg_date: '2016年09月12日',
  },
  {
    layout: 'portrait', code: uscc('91500105MA5U6E8K1'),
    name: '重庆两江新区喆诚建筑工程（集团）有限公司',
    kind: '有限责任公司', person: '何堃',
    capital: '捌仟万元整', set_date: '2016年11月21日',
    period: '2016年11月21日至永久',
    address: '重庆市江北区鱼嘴镇双溪大道56号附5号2单元17-3',
    authority: '重庆市江北区市场监督管理局', reg_date: '2017年03月02日',
  },
  {
    layout: 'portrait', code: uscc('91420100748315762'),
    name: '武汉东湖新技术开发区光谷赟泰生物医药科技研究院有限公司',
    kind: '其他有限责任公司', person: '孙喆',
    capital: '叁仟万元整', set_date: '2003年04月17日', set_print: '2003年4月17日',
    period: '2003年4月17日至2033年4月16日',
    address: '武汉市东湖新技术开发区高新大道666号生物创新园C5栋',
    authority: '武汉东湖新技术开发区市场监督管理局', reg_date: '2018年07月30日',
  },
  {
    layout: 'individual', code: uscc('92440106MA59LT8R3'),
    name: '广州市天河区燚记粥粉面店', kind: '个体工商户', person: '陈燚',
    composing_form: '个人经营', set_date: '2020年09月01日',
    address: '广州市天河区石牌街道龙口西路128号之三首层自编号102',
    authority: '广州市天河区市场监督管理局', reg_date: '2022年02月14日',
  },
  {
    layout: 'individual', code: uscc('92330782MA2E7LQH9'),
    name: '义乌市堃喆日用百货商行', kind: '个体工商户', person: '吴堃',
    composing_form: '家庭经营', set_date: '2019年04月26日',
    address: '浙江省义乌市福田街道国际商贸城五区东扩市场1楼附18号',
    authority: '义乌市市场监督管理局', reg_date: '2024年06月03日',
  },
  {
    layout: 'individual', code: uscc('92510104MA6CG5Y02'),
    name: '成都锦江昇平茶社', kind: '个体工商户', person: '周昇',
    composing_form: '个人经营', set_date: '2018年02月07日',
    address: '四川省成都市锦江区春熙路北段18号附2号',
    authority: '成都市锦江区市场监督管理局', reg_date: '2021年10月19日',
  },
  {
    layout: 'institution', code: uscc('12440000455858163'),
    name: '广东省燚光科学技术研究院', person: '黄赟',
    capital: '￥2680万元', funding: '财政补助', sponsor: '广东省科学技术厅',
    address: '广州市越秀区连新路171号大院附楼5层',
    period: '自2021年05月12日至2026年05月12日',
    authority: '广东省事业单位登记管理局', reg_date: '2021年05月12日',
  },
  {
    layout: 'institution', code: uscc('12330100470112938'),
    name: '杭州市西湖区堃山实验学校', person: '郑喆',
    capital: '￥500万元', funding: '财政补助', sponsor: '杭州市西湖区教育局',
    address: '杭州市西湖区留下街道屏基山路9号',
    period: '自2022年09月01日至2027年08月31日',
    authority: '杭州市西湖区事业单位登记管理局', reg_date: '2022年09月01日',
  },
  {
    layout: 'uscc-cert', code: uscc('11330000002482061'),
    name: '浙江省昇平区人民政府办公室', kind: '机关', person: '王赟',
    address: '浙江省杭州市上城区解放东路18号市民中心C座',
    period: '长期', authority: '浙江省机构编制委员会办公室', reg_date: '2020年12月08日',
  },
  {
    layout: 'uscc-cert', code: uscc('51440000MJ0000932'),
    name: '广东省喆文社会组织促进会', kind: '社会团体', person: '刘燚',
    address: '广州市天河区体育东路138号金利来数码网络大厦附楼801室',
    period: '2023年03月01日至2028年02月28日', authority: '广东省民政厅', reg_date: '2023年03月01日',
  },
];

const BUSINESS =
  '一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；供应链管理服务；'
  + '国内贸易代理；货物进出口；技术进出口；会议及展览服务；信息咨询服务（不含许可类信息咨询服务）；'
  + '企业管理咨询；市场营销策划。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）';
const PURPOSE =
  '开展科学技术研究，促进科技发展。基础与应用研究、技术开发与成果转化、学术交流与咨询服务、'
  + '人才培养与相关社会服务。';

// ------------------------------------------------------------------------------------------
// Layouts. Sizes are CSS px of a 2000 px photo; 1200 px photos are the same page scaled.
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const row = (label, value, cls = '') =>
  `<div class="f ${cls}"><span class="l">${esc(label)}</span><span class="v">${esc(value)}</span></div>`;

function qr(r, size) {
  const n = 25;
  let cells = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const finder = (x < 7 && y < 7) || (x > n - 8 && y < 7) || (x < 7 && y > n - 8);
      const on = finder
        ? Math.max(Math.abs((x % (n - 7)) - 3), Math.abs((y % (n - 7)) - 3)) !== 2
          && !(x > 7 && x < n - 8) && !(y > 7 && y < n - 8)
        : r() < 0.5;
      if (on) cells += `<rect x="${x}" y="${y}" width="1" height="1"/>`;
    }
  }
  return `<svg class="qr" viewBox="0 0 ${n} ${n}" width="${size}" height="${size}">${cells}</svg>`;
}

function seal(text, size) {
  return `<div class="seal" style="width:${size}px;height:${size}px">
    <span class="star">★</span><span class="st">${esc(text)}</span></div>`;
}

const FOOTER = `<div class="footer">
  <span>国家企业信用信息公示系统网址：http://www.gsxt.gov.cn</span>
  <span>市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。</span>
  <span>国家市场监督管理总局监制</span></div>`;

function landscape(s, r) {
  const individual = s.layout === 'individual';
  const left = [
    row('名称', s.name, 'name'),
    row('类型', s.kind),
    row(individual ? '经营者' : '法定代表人', s.person),
    row('经营范围', BUSINESS, 'scope'),
  ];
  const right = individual
    ? [row('组成形式', s.composing_form), row('注册日期', s.set_print ?? s.set_date),
      row('经营场所', s.address, 'addr')]
    : [row('注册资本', s.capital), row('成立日期', s.set_print ?? s.set_date),
      row('营业期限', s.period), row('住所', s.address, 'addr')];
  return `<div class="doc land">
    <div class="top">
      <div class="code"><div>统一社会信用代码</div><div class="cv">${s.code}</div></div>
      <div class="emblem"></div>
      <div class="qrbox">${qr(r, 150)}<div class="cap">扫描二维码登录“国家企业信用信息公示系统”了解更多登记、备案、许可、监管信息。</div></div>
    </div>
    <div class="title">营业执照</div>
    <div class="sub">（副　本）</div>
    <div class="serial">证照编号：${s.code.slice(2, 8)}MA${s.code.slice(10, 16)}</div>
    <div class="cols"><div class="col">${left.join('')}</div><div class="col">${right.join('')}</div></div>
    <div class="auth"><span class="al">登记机关</span>${seal(s.authority, 230)}<div class="date">${s.reg_date}</div></div>
    ${FOOTER}</div>`;
}

function portrait(s, r) {
  const fields = [
    row('名称', s.name, 'name'), row('类型', s.kind), row('住所', s.address, 'addr'),
    row('法定代表人', s.person), row('注册资本', s.capital),
    row('成立日期', s.set_print ?? s.set_date), row('营业期限', s.period),
    row('经营范围', BUSINESS, 'scope'),
  ];
  return `<div class="doc port">
    <div class="top">
      <div class="code"><div>统一社会信用代码</div><div class="cv">${s.code}</div></div>
      <div class="qrbox">${qr(r, 130)}</div>
    </div>
    <div class="emblem"></div>
    <div class="title">营业执照</div>
    <div class="sub">（副　本）</div>
    <div class="one">${fields.join('')}</div>
    <div class="auth"><span class="al">登记机关</span>${seal(s.authority, 220)}<div class="date">${s.reg_date}</div></div>
    ${FOOTER}</div>`;
}

function institution(s, r) {
  const left = [row('名称', s.name, 'name'), row('宗旨和业务范围', PURPOSE, 'scope'),
    row('住所', s.address, 'addr')];
  const right = [row('法定代表人', s.person), row('经费来源', s.funding), row('开办资金', s.capital),
    row('举办单位', s.sponsor)];
  return `<div class="doc land inst">
    <div class="top">
      <div class="code"><div>统一社会信用代码</div><div class="cv">${s.code}</div></div>
      <div class="emblem"></div>
      <div class="qrbox">${qr(r, 140)}</div>
    </div>
    <div class="title">事业单位法人证书</div>
    <div class="sub">（副　本）</div>
    <div class="cols"><div class="col">${left.join('')}</div><div class="col">${right.join('')}</div></div>
    <div class="period">有效期　${esc(s.period)}</div>
    <div class="auth"><span class="al">登记管理机关</span>${seal(s.authority, 230)}<div class="date">${s.reg_date}</div></div>
    <div class="footer"><span>事业单位在线：http://www.gjsy.gov.cn</span><span>国家事业单位登记管理局监制</span></div></div>`;
}

function usccCert(s, r) {
  const fields = [row('机构名称', s.name, 'name'), row('机构类型', s.kind), row('负责人', s.person),
    row('机构地址', s.address, 'addr'), row('有效期', s.period)];
  return `<div class="doc port cert">
    <div class="emblem"></div>
    <div class="title">统一社会信用代码证书</div>
    <div class="big"><div>统一社会信用代码</div><div class="cv">${s.code}</div></div>
    <div class="one">${fields.join('')}</div>
    <div class="qrbox">${qr(r, 140)}</div>
    <div class="auth"><span class="al">颁发单位</span>${seal(s.authority, 220)}<div class="date">${s.reg_date}</div></div></div>`;
}

const LAYOUTS = { landscape, individual: landscape, portrait, institution, 'uscc-cert': usccCert };

// ------------------------------------------------------------------------------------------
// Degradations: what a phone does to a photo.
const DEGRADATIONS = ['scan', 'phone', 'shadow', 'glare', 'lowlight', 'jpeg1200', 'tilt10'];

const BACKGROUNDS = [
  'repeating-linear-gradient(92deg,#6b4a2b 0 14px,#7a5634 14px 31px,#5e4026 31px 40px)', // wood
  'radial-gradient(circle at 30% 30%,#8a8f96,#4c5158)', // grey desk
  'repeating-linear-gradient(45deg,#2d3e50 0 6px,#34495e 6px 12px)', // fabric
  'linear-gradient(160deg,#d8d2c4,#a89f8d)', // beige table
  '#1f1f1f', // dark desk
];

function scene(kind, r, portraitDoc) {
  const t = {
    rx: 0, ry: 0, rz: 0, scale: 0.86, light: '', glare: '', filter: '', noise: 0.05,
    bg: pick(r, BACKGROUNDS), quality: 88, shrink: 1,
  };
  const skew = () => {
    t.rx = between(r, 6, 14) * (r() < 0.5 ? -1 : 1);
    t.ry = between(r, 5, 12) * (r() < 0.5 ? -1 : 1);
    t.rz = between(r, -4, 4);
  };
  const angle = between(r, 0, 360);
  switch (kind) {
    case 'scan':
      t.bg = '#f4f4f0'; t.scale = 0.95; t.rz = between(r, -1.5, 1.5); t.quality = 92; t.noise = 0.02;
      break;
    case 'phone':
      skew();
      t.light = `linear-gradient(${angle}deg,rgba(255,250,235,0) 20%,rgba(40,30,10,.38) 100%)`;
      t.quality = 80;
      break;
    case 'shadow': {
      skew();
      const p = between(r, 25, 60);
      t.light = `linear-gradient(${angle}deg,rgba(0,0,0,0) ${p}%,rgba(0,0,0,.42) ${p + 4}%,`
        + `rgba(0,0,0,.42) ${p + 18}%,rgba(0,0,0,0) ${p + 24}%)`;
      t.quality = 78;
      break;
    }
    case 'glare': {
      t.rz = between(r, -5, 5); t.rx = between(r, -6, 6);
      // Near the name: the first field of every layout.
      const gx = between(r, 30, 55), gy = portraitDoc ? between(r, 30, 40) : between(r, 36, 46);
      t.glare = `radial-gradient(ellipse 8% 6% at ${gx}% ${gy}%,rgba(255,255,255,.82) 0,`
        + `rgba(255,255,255,.6) 45%,rgba(255,255,255,0) 100%),`
        + `radial-gradient(ellipse 30% 22% at ${gx}% ${gy}%,rgba(255,255,255,.35),rgba(255,255,255,0))`;
      t.quality = 82;
      break;
    }
    case 'lowlight':
      t.rz = between(r, -3, 3); t.ry = between(r, -7, 7);
      t.filter = `brightness(${between(r, 0.45, 0.6).toFixed(2)}) contrast(.8) saturate(.7) blur(.7px)`;
      t.noise = 0.16; t.quality = 70;
      break;
    case 'jpeg1200':
      t.rz = between(r, -6, 6); t.rx = between(r, -5, 5);
      t.light = `linear-gradient(${angle}deg,rgba(0,0,0,0) 40%,rgba(0,0,0,.2))`;
      t.quality = Math.round(between(r, 35, 50)); t.shrink = 0.6;
      break;
    case 'tilt10':
      t.rz = between(r, 7, 10) * (r() < 0.5 ? -1 : 1); t.scale = 0.8;
      t.light = `linear-gradient(${angle}deg,rgba(0,0,0,0) 50%,rgba(0,0,0,.25))`;
      t.quality = 75;
      break;
    default:
      throw new Error(`unknown degradation ${kind}`);
  }
  return t;
}

const CSS = `
* { box-sizing: border-box; margin: 0; padding: 0; }
html, body { width: 100%; height: 100%; overflow: hidden; }
.stage { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; }
.doc { position: relative; background: #fbf8f0; color: #1a1a1a;
  font-family: 'Noto Serif CJK SC', serif; border: 14px double #c8553d; outline: 6px solid #e9a58f;
  outline-offset: -30px; box-shadow: 0 20px 60px rgba(0,0,0,.45); }
.land { width: 1760px; height: 1245px; padding: 56px 96px; }
.port { width: 1100px; height: 1556px; padding: 58px 72px; }
.top { display: flex; justify-content: space-between; align-items: flex-start; }
.code { font: 500 22px 'Noto Sans CJK SC'; } .code .cv { font: 600 30px 'Noto Sans CJK SC'; letter-spacing: 1px; margin-top: 4px; }
.emblem { width: 120px; height: 120px; border-radius: 50%; background: radial-gradient(circle, #f6c343 0 28%, #d2302c 30% 100%); margin: 0 auto; }
.port .emblem { margin-top: 10px; width: 100px; height: 100px; }
.qrbox { width: 300px; display: flex; flex-direction: column; align-items: flex-end; }
.qrbox .cap { font: 14px 'Noto Sans CJK SC'; text-align: right; color: #333; margin-top: 4px; }
.qr { fill: #111; background: #fff; }
.title { text-align: center; font-weight: 700; font-size: 104px; letter-spacing: 40px; margin-top: -10px; }
.inst .title, .cert .title { font-size: 76px; letter-spacing: 16px; }
.sub { text-align: center; font-size: 32px; margin-top: -6px; }
.serial { text-align: right; font: 20px 'Noto Sans CJK SC'; margin-top: -36px; }
.cols { display: flex; gap: 110px; margin-top: 40px; }
.col { flex: 1; }
.f { display: flex; align-items: baseline; margin-bottom: 26px; font-size: 29px; line-height: 1.45; }
.l { flex: none; width: 150px; font: 700 29px 'Noto Sans CJK SC'; text-align: justify; text-align-last: justify; margin-right: 30px; }
.inst .l { width: 220px; }
.v { flex: 1; }
.scope .v { font-size: 24px; line-height: 1.5; }
.one { margin: 40px 40px 0; }
.one .l { width: 170px; }
.auth { position: absolute; right: 130px; bottom: 120px; width: 420px; text-align: center; font-size: 28px; }
.port .auth { bottom: 125px; right: 110px; }
.al { font: 700 29px 'Noto Sans CJK SC'; margin-right: 14px; }
.seal { position: absolute; left: 150px; top: -90px; border: 7px solid rgba(214,30,40,.78); border-radius: 50%;
  color: rgba(214,30,40,.78); display: flex; flex-direction: column; align-items: center; justify-content: center;
  font: 700 22px 'Noto Sans CJK SC'; padding: 30px; text-align: center; }
.seal .star { font-size: 56px; line-height: 1; }
.date { margin-top: 12px; font-size: 29px; }
.footer { position: absolute; left: 84px; right: 84px; bottom: 44px; display: flex; justify-content: space-between;
  gap: 20px; font: 16px 'Noto Sans CJK SC'; color: #444; }
.port .footer { flex-direction: column; align-items: center; gap: 2px; left: 60px; right: 60px; }
.period { margin: 6px 0 0; font-size: 29px; }
.big { text-align: center; margin: 40px 0 10px; font: 500 26px 'Noto Sans CJK SC'; }
.big .cv { font: 700 54px 'Noto Sans CJK SC'; letter-spacing: 4px; }
.cert .qrbox { position: absolute; left: 100px; bottom: 140px; }
.paper, .light, .glare { position: absolute; inset: 0; pointer-events: none; }
.light { mix-blend-mode: multiply; }
.glare { mix-blend-mode: screen; }
`;

function page(html, t, w, h) {
  const tf = `perspective(2600px) rotateX(${t.rx.toFixed(2)}deg) rotateY(${t.ry.toFixed(2)}deg) `
    + `rotateZ(${t.rz.toFixed(2)}deg) scale(${t.scale})`;
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>${CSS}</style></head>
  <body style="background:${t.bg}">
  <svg width="0" height="0" style="position:absolute"><filter id="n"><feTurbulence type="fractalNoise"
    baseFrequency="1.1" numOctaves="2" seed="7"/><feColorMatrix type="saturate" values="0"/></filter></svg>
  <div class="stage" style="width:${w}px;height:${h}px;filter:${t.filter || 'none'}">
    <div style="transform:${tf};transform-style:preserve-3d;position:relative">
      ${html}
      <div class="light" style="background:${t.light || 'none'}"></div>
      <div class="glare" style="background:${t.glare || 'none'}"></div>
    </div>
    <svg class="paper" width="${w}" height="${h}" style="opacity:${t.noise}"><rect width="100%" height="100%" filter="url(#n)"/></svg>
  </div></body></html>`;
}

// ------------------------------------------------------------------------------------------
function truth(s) {
  const f = { reg_num: s.code, name: s.name, person: s.person, address: s.address };
  if (s.layout === 'landscape' || s.layout === 'portrait' || s.layout === 'individual') {
    f.kind = s.kind;
    f.set_date = s.set_date;
  }
  if (s.layout === 'uscc-cert') f.kind = s.kind;
  if (s.layout === 'individual') f.composing_form = s.composing_form;
  return f;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
});
const records = [];
let n = 0;
for (const [si, s] of SUBJECTS.entries()) {
  // Four degradations per subject, rotating through the list so every layout meets each.
  for (let k = 0; k < 4; k++) {
    const kind = DEGRADATIONS[(si * 4 + k) % DEGRADATIONS.length];
    const r = rng(1000 + si * 17 + k);
    const portraitDoc = s.layout === 'portrait' || s.layout === 'uscc-cert';
    const [w, h] = portraitDoc ? [1500, 2000] : [2000, 1500];
    const t = scene(kind, r, portraitDoc);
    const context = await browser.newContext({
      viewport: { width: w, height: h }, deviceScaleFactor: t.shrink, locale: 'zh-CN',
    });
    const tab = await context.newPage();
    await tab.setContent(page(LAYOUTS[s.layout](s, r), t, w, h));
    await tab.evaluate(() => document.fonts.ready);
    n += 1;
    const file = `${String(n).padStart(2, '0')}-${s.layout}-${kind}.jpg`;
    await tab.screenshot({ path: join(out, file), type: 'jpeg', quality: t.quality });
    await context.close();
    records.push({
      file, layout: s.layout, degradation: kind,
      width: Math.round(w * t.shrink), height: Math.round(h * t.shrink), quality: t.quality,
      fields: truth(s),
    });
  }
}
await browser.close();
writeFileSync(join(out, 'truth.json'), `${JSON.stringify(records, null, 1)}\n`);
console.log(`license-photos: ${records.length} photos in ${out}`);
