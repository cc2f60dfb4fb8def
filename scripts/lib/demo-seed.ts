/** The demo world `npm start` creates through the API itself (so it is validated and audited). */
import type { App } from '../../shared/http/app.js';
import type { Role } from '../../shared/http/context.js';
import { signLocalToken } from '../../shared/http/local-tokens.js';
import { completeCreditCode } from '../../shared/domain/credit-code.js';

interface SeedOrg {
  key: string;
  kind: string;
  name: string;
  district: string;
  level?: 'city' | 'district';
  parent?: string;
  role: Role;
}

const world: SeedOrg[] = [
  { key: 'cityBureau', kind: 'hr_bureau', name: '无锡市人力资源和社会保障局', district: '320200', level: 'city', role: 'hr' },
  { key: 'xinwuBureau', kind: 'hr_bureau', name: '无锡市新吴区人力资源和社会保障局', district: '320214', level: 'district', role: 'hr' },
  { key: 'binhuBureau', kind: 'hr_bureau', name: '无锡市滨湖区人力资源和社会保障局', district: '320211', level: 'district', role: 'hr' },
  { key: 'liangxiBureau', kind: 'hr_bureau', name: '无锡市梁溪区人力资源和社会保障局', district: '320213', level: 'district', role: 'hr' },
  { key: 'chamber', kind: 'chamber', name: '无锡市新吴区工商业联合会', district: '320214', role: 'chamber' },
  { key: 'smeA', kind: 'enterprise', name: '无锡精工机械有限公司', district: '320214', role: 'enterprise' },
  { key: 'smeB', kind: 'enterprise', name: '无锡华光电子科技有限公司', district: '320211', role: 'enterprise' },
  { key: 'smeC', kind: 'enterprise', name: '无锡锡能新材料有限公司', district: '320213', role: 'enterprise' },
  { key: 'groupHq', kind: 'enterprise', name: '无锡先导智能装备集团有限公司', district: '320214', role: 'enterprise' },
  { key: 'groupMember', kind: 'enterprise', name: '无锡先导精密部件有限公司', district: '320211', parent: 'groupHq', role: 'enterprise' },
  { key: 'provider', kind: 'provider', name: '无锡技师学院', district: '320214', role: 'provider' },
  { key: 'evaluator', kind: 'evaluator', name: '无锡机电高等职业技术学校评价中心', district: '320213', role: 'evaluator' },
  { key: 'auditor', kind: 'auditor', name: '江苏公证天业会计师事务所', district: '320213', role: 'auditor' },
];

export interface DemoToken {
  label: string;
  token: string;
  /** Shell variable names for the README walkthrough, e.g. SME_A and SME_A_ID. */
  env?: string;
  orgId?: string;
}

const envName = (key: string) => key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

export async function seedDemo(app: App): Promise<DemoToken[]> {
  const ttl = '30d';
  const admin = await signLocalToken({ sub: 'demo-admin', org: 'platform', role: 'admin' }, undefined, ttl);
  const post = async (path: string, body: unknown) => {
    const res = await app.request(path, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`seed ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const ids = new Map<string, string>();
  let serial = 1;
  for (const org of world) {
    const body = `${String(serial++).padStart(6, '0')}00`;
    const created = await post('/v1/organizations', {
      kind: org.kind,
      name: org.name,
      district: org.district,
      creditCode: completeCreditCode(`${org.kind === 'hr_bureau' ? '11' : '91'}${org.district}${body}`),
      ...(org.level ? { level: org.level } : {}),
      ...(org.parent ? { parentId: ids.get(org.parent) } : {}),
    });
    ids.set(org.key, created.id);
  }
  await post('/v1/occupations', { code: '6-18-01-01', name: '车工', skillEvaluation: true });
  await post('/v1/occupations', { code: '6-31-01-03', name: '电工', skillEvaluation: true });
  await post('/v1/occupations', { code: 'X-2024-01', name: '工业机器人运维（合格证书项目）', skillEvaluation: false });

  const tokens: DemoToken[] = [{ label: 'admin (platform)', token: admin, env: 'ADMIN' }];
  for (const org of world) {
    const orgId = ids.get(org.key)!;
    tokens.push({
      label: `${org.role} ${org.key} (${orgId})`,
      token: await signLocalToken({ sub: `demo-${org.key}`, org: orgId, role: org.role }, undefined, ttl),
      env: envName(org.key),
      orgId,
    });
  }
  for (const n of [1, 2, 3]) {
    tokens.push({ label: `expert expert-${n} (pool of xinwuBureau)`, token: await signLocalToken({ sub: `expert-${n}`, org: ids.get('xinwuBureau')!, role: 'expert' }, undefined, ttl), env: `EXPERT_${n}` });
  }
  return tokens;
}
