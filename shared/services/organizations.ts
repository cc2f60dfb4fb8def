/** Organisations (admin registers them) and the lookups the rules need (competent bureau, group members). */
import { isValidCreditCode, creditCodeProblem } from '../domain/credit-code.js';
import { cityOf, isCityCode, isCountyLevelCity, isDivisionCode } from '../domain/division.js';
import type { RuleIssue } from '../domain/messages.js';
import { auditOp } from '../db/audit.js';
import { newId } from '../db/ids.js';
import { indexKeys, keys } from '../db/keys.js';
import { storedItem, type Store } from '../db/store.js';
import { notFound, ruleViolation } from '../http/errors.js';
import type { RequestContext } from '../http/context.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';

export const organizationKinds = ['hr_bureau', 'chamber', 'enterprise', 'provider', 'evaluator', 'auditor'] as const;
export type OrganizationKind = (typeof organizationKinds)[number];
export const bureauLevels = ['city', 'district'] as const;
export type BureauLevel = (typeof bureauLevels)[number];
export const organizationFlags = ['leading', 'specialized', 'integration', 'credit'] as const;

export interface Organization {
  id: string;
  kind: OrganizationKind;
  name: string;
  creditCode: string;
  /** 6-digit administrative division code (行政区划代码). */
  district: string;
  level?: BureauLevel;
  /** Group HQ (集团总部) of a member company (成员公司). */
  parentId?: string;
  flags: { leading: boolean; specialized: boolean; integration: boolean; credit: boolean };
  createdAt: string;
}

export interface NewOrganization {
  kind: OrganizationKind;
  name: string;
  creditCode: string;
  district: string;
  level?: BureauLevel;
  parentId?: string;
  flags?: Partial<Organization['flags']>;
}

const item = (org: Organization) =>
  storedItem(keys.organization(org.id), 'organization', org, {
    GSI1PK: indexKeys.organizationsByKind(org.kind),
    GSI1SK: `${org.district}#${org.id}`,
    GSI3PK: indexKeys.allOrganizations,
    GSI3SK: `${org.district}#${org.id}`,
    ...(org.parentId ? { GSI2PK: indexKeys.membersOf(org.parentId), GSI2SK: org.id } : {}),
  });

export function toOrganization(raw: Record<string, unknown>): Organization {
  const { id, kind, name, creditCode, district, level, parentId, flags, createdAt } = raw as unknown as Organization;
  return { id, kind, name, creditCode, district, ...(level ? { level } : {}), ...(parentId ? { parentId } : {}), flags, createdAt };
}

export class OrganizationService {
  /** Organisations never change kind, district, level or parent, so a process-wide cache is safe. */
  private readonly cache = new Map<string, Organization>();
  private readonly bureauCache = new Map<string, string | null>();

  constructor(private readonly store: Store) {}

  async create(ctx: RequestContext, input: NewOrganization): Promise<Organization> {
    const issues: RuleIssue[] = [];
    const problem = creditCodeProblem(input.creditCode);
    if (problem || !isValidCreditCode(input.creditCode)) {
      issues.push({ rule: 'GB-32100', path: 'creditCode', message: { en: `Invalid unified social credit code: ${problem ?? 'checksum'}`, zh: '统一社会信用代码校验失败' } });
    }
    if (!isDivisionCode(input.district)) {
      issues.push({ rule: 'GB-T-2260', path: 'district', message: { en: 'district must be a 6-digit administrative division code', zh: '行政区划代码应为6位数字' } });
    }
    if (input.kind === 'hr_bureau') {
      if (!input.level) {
        issues.push({ rule: 'R-ROUTE-1', path: 'level', message: { en: 'an hr_bureau needs level city or district', zh: '人社部门须注明层级（市级或区级）' } });
      } else if (input.level === 'city' && isDivisionCode(input.district) && !isCityCode(input.district) && !isCountyLevelCity(input.district)) {
        issues.push({ rule: 'R-ROUTE-1', path: 'district', message: { en: 'a city-level bureau sits at a city code (XXXX00) or a county-level city (81–99)', zh: '市级人社部门的区划代码应为设区市（XXXX00）或县级市' } });
      } else if (input.level === 'district' && isCityCode(input.district)) {
        issues.push({ rule: 'R-ROUTE-2', path: 'district', message: { en: 'a district-level bureau cannot sit at a city code', zh: '区级人社部门的区划代码不能是设区市代码' } });
      }
    } else if (input.level) {
      issues.push({ rule: 'R-ROUTE-1', path: 'level', message: { en: 'level applies to hr_bureau only', zh: '仅人社部门有层级' } });
    }
    let parent: Organization | undefined;
    if (input.parentId) {
      parent = await this.find(input.parentId);
      if (input.kind !== 'enterprise') {
        issues.push({ rule: 'R-GROUP-1', path: 'parentId', message: { en: 'only an enterprise can be a member company', zh: '仅企业可作为集团成员公司' } });
      } else if (!parent || parent.kind !== 'enterprise' || parent.parentId) {
        issues.push({ rule: 'R-GROUP-1', path: 'parentId', message: { en: 'parentId must be a group HQ: an enterprise that is not itself a member', zh: '上级单位须为集团总部企业' } });
      }
    }
    if (issues.length) throw ruleViolation(issues);

    const org: Organization = {
      id: newId(ctx.now),
      kind: input.kind,
      name: input.name,
      creditCode: input.creditCode,
      district: input.district,
      ...(input.level ? { level: input.level } : {}),
      ...(input.parentId ? { parentId: input.parentId } : {}),
      flags: { leading: false, specialized: false, integration: false, credit: false, ...input.flags },
      createdAt: ctx.now.toISOString(),
    };
    const duplicate = (en: string, zh: string, path: string) => () =>
      ruleViolation([{ rule: 'UNIQUE', path, message: { en, zh } }]);
    await this.store.transact([
      { op: { Put: { Item: item(org), ConditionExpression: 'attribute_not_exists(PK)' } } },
      {
        op: { Put: { Item: { ...keys.creditCode(org.creditCode), organizationId: org.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
        onConditionFailed: duplicate('credit code already registered', '统一社会信用代码已登记', 'creditCode'),
      },
      ...(org.kind === 'hr_bureau'
        ? [{
            op: { Put: { Item: { ...keys.bureauOfDistrict(org.district), bureauId: org.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
            onConditionFailed: duplicate('this district already has an hr_bureau', '该行政区划已有人社部门', 'district'),
          }]
        : []),
      ...(parent
        ? [{ op: { ConditionCheck: { Key: keys.organization(parent.id), ConditionExpression: 'attribute_exists(PK)' } } }]
        : []),
      auditOp(ctx, keys.organization(org.id).PK, { action: 'organization.created', subjectType: 'organization', subjectId: org.id, after: org }),
    ]);
    this.cache.set(org.id, org);
    return org;
  }

  /** An organisation, from the cache when it has been read before. */
  async find(id: string): Promise<Organization | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const raw = await this.store.get(keys.organization(id));
    if (!raw) return undefined;
    const org = toOrganization(raw);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, org);
    return org;
  }

  async findMany(ids: string[]): Promise<Map<string, Organization>> {
    const out = new Map<string, Organization>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.cache.get(id);
      if (cached) out.set(id, cached);
      else missing.push(id);
    }
    for (const raw of await this.store.getMany(missing.map((id) => keys.organization(id)))) {
      const org = toOrganization(raw);
      this.cache.set(org.id, org);
      out.set(org.id, org);
    }
    return out;
  }

  async get(id: string): Promise<Organization> {
    const org = await this.find(id);
    if (!org) throw notFound('organization');
    return org;
  }

  /** The hr_bureau registered for exactly this division code, if any. */
  async bureauOf(district: string): Promise<string | undefined> {
    if (this.bureauCache.has(district)) return this.bureauCache.get(district) ?? undefined;
    const raw = await this.store.get<{ bureauId: string }>(keys.bureauOfDistrict(district));
    // Only positive answers are cached: a bureau registered later must be found.
    if (raw) this.bureauCache.set(district, raw.bureauId);
    return raw?.bureauId;
  }

  /** R-ROUTE-2: the bureau of an insured district, falling back to its city's bureau (市本级). */
  async filingBureauOf(district: string): Promise<string | undefined> {
    return (await this.bureauOf(district)) ?? (isCityCode(district) ? undefined : this.bureauOf(cityOf(district)));
  }

  async list(query: { kind?: OrganizationKind; district?: string; parentId?: string; limit: number; cursor?: string }): Promise<Page<Organization>> {
    const bound = { kind: query.kind, district: query.district, parentId: query.parentId };
    const start = decodeCursor(query.cursor, bound);
    const prefix = query.district ? `${query.district}#` : undefined;
    let input;
    if (query.parentId) {
      input = {
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': indexKeys.membersOf(query.parentId) } as Record<string, unknown>,
      };
      const filters: string[] = [];
      if (query.kind) { filters.push('kind = :kind'); input.ExpressionAttributeValues[':kind'] = query.kind; }
      if (query.district) { filters.push('district = :district'); input.ExpressionAttributeValues[':district'] = query.district; }
      if (filters.length) Object.assign(input, { FilterExpression: filters.join(' AND ') });
    } else {
      const index = query.kind ? 'GSI1' : 'GSI3';
      input = {
        IndexName: index,
        KeyConditionExpression: `${index}PK = :pk${prefix ? ` AND begins_with(${index}SK, :prefix)` : ''}`,
        ExpressionAttributeValues: {
          ':pk': query.kind ? indexKeys.organizationsByKind(query.kind) : indexKeys.allOrganizations,
          ...(prefix ? { ':prefix': prefix } : {}),
        },
      };
    }
    const page = await this.store.query({ ...input, Limit: query.limit, ...(start ? { ExclusiveStartKey: start } : {}) });
    return { items: page.items.map(toOrganization), nextCursor: encodeCursor(page.lastKey, bound) };
  }

  /** The organisation's own record must match the token's role (SPEC "Who uses it"). */
  static kindOfRole(role: string): OrganizationKind | undefined {
    switch (role) {
      case 'hr':
      case 'expert':
        return 'hr_bureau';
      case 'chamber':
      case 'enterprise':
      case 'provider':
      case 'evaluator':
      case 'auditor':
        return role;
      default:
        return undefined;
    }
  }
}
