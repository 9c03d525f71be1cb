import {
  type ComponentRule,
  LOINC,
  MEASURE_PROFILES,
  type MeasureProfile,
  OBSERVATION_CATEGORY,
  UCUM,
  VITAL_SIGNS_PROFILE,
} from './vital-signs-profiles.js';

/**
 * Executable checks for the R4 vital-signs profile rules that fhir.schema.json cannot express
 * (hl7.org/fhir/R4/observation-vitalsigns.html: slices, fixed codes, cardinalities tightened from the
 * base Observation, and the invariants vs-1…vs-3). Structure and enums are the schema's job; run both.
 */
export interface ProfileIssue {
  /** The profile element or invariant that was broken, e.g. `vs-2`, `category`, `ucum`. */
  rule: string;
  /** JSON Pointer into the Observation. */
  path: string;
  message: string;
}

type Json = Record<string, unknown>;

const VALUE_KEY = /^value[A-Z]/;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function codings(concept: unknown): Json[] {
  return isObject(concept) ? list(concept.coding).filter(isObject) : [];
}

function hasCoding(concept: unknown, system: string, code: string): boolean {
  return codings(concept).some((c) => c.system === system && c.code === code);
}

function valueKeys(element: Json): string[] {
  return Object.keys(element).filter((k) => VALUE_KEY.test(k));
}

function profileFor(obs: Json): { profile: MeasureProfile | undefined; claimed: MeasureProfile | undefined } {
  const claimedUrls = list(isObject(obs.meta) ? obs.meta.profile : undefined);
  const claimed = MEASURE_PROFILES.find((p) => p.url !== undefined && claimedUrls.includes(p.url));
  const coded = MEASURE_PROFILES.find((p) => p.loinc.some((code) => hasCoding(obs.code, LOINC, code)));
  return { profile: claimed ?? coded, claimed };
}

/** Checks one Observation; returns [] when every rule holds. */
export function checkVitalSigns(resource: unknown): ProfileIssue[] {
  if (!isObject(resource) || resource.resourceType !== 'Observation') {
    return [{ rule: 'resourceType', path: '/resourceType', message: 'not an Observation' }];
  }
  const obs = resource;
  const issues: ProfileIssue[] = [];
  const push = (rule: string, path: string, message: string) => issues.push({ rule, path, message });
  const { profile, claimed } = profileFor(obs);

  // observation-vitalsigns.html: status 1..1 (also 1..1 in core Observation, but the schema omits it).
  if (typeof obs.status !== 'string') push('status', '/status', 'status is required');

  checkCode(obs, profile, claimed, push);
  checkCategory(obs, profile, push);

  // subject 1..1 Reference(Patient).
  if (!isObject(obs.subject)) push('subject', '/subject', 'subject is required (Reference(Patient))');
  else if (typeof obs.subject.reference === 'string' && !/(^|\/)Patient\/[^/]+$/.test(obs.subject.reference))
    push('subject', '/subject/reference', `subject must reference a Patient, got ${obs.subject.reference}`);

  checkEffective(obs, push);
  checkValue(obs, '', profile?.units, push);
  if (profile) for (const rule of profile.components) checkComponentPresent(obs, rule, push);
  list(obs.component).forEach((c, i) => {
    if (!isObject(c)) return;
    const rule = profile?.components.find((r) => hasCoding(c.code, LOINC, r.loinc));
    checkValue(c, `/component/${i}`, rule?.units, push);
    // vs-3: "If there is no a value a data absent reason must be present" (on Observation.component).
    if (valueKeys(c).length === 0 && c.dataAbsentReason === undefined)
      push('vs-3', `/component/${i}`, 'component has neither value[x] nor dataAbsentReason');
  });

  // vs-2: (component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists()).
  if (list(obs.component).length === 0 && list(obs.hasMember).length === 0) {
    if (valueKeys(obs).length === 0 && obs.dataAbsentReason === undefined)
      push('vs-2', '', 'no value[x], dataAbsentReason, component or hasMember');
  }
  return issues;
}

type Push = (rule: string, path: string, message: string) => void;

function checkCode(
  obs: Json,
  profile: MeasureProfile | undefined,
  claimed: MeasureProfile | undefined,
  push: Push,
): void {
  if (!profile) {
    push('code', '/code/coding', 'code carries no LOINC coding of a known vital-signs measure');
    return;
  }
  for (const code of profile.loinc) {
    if (!hasCoding(obs.code, LOINC, code))
      push('code', '/code/coding', `${profile.key} requires the LOINC coding ${LOINC}|${code}`);
  }
  const claims = list(isObject(obs.meta) ? obs.meta.profile : undefined);
  if (!profile.vitalSign && claims.some((u) => u === VITAL_SIGNS_PROFILE || claimedVital(u)))
    push(
      'meta.profile',
      '/meta/profile',
      `${profile.key} is not a vital sign and must not claim a vital-signs profile`,
    );
  if (claimed && claimed !== profile)
    push('meta.profile', '/meta/profile', `claims ${claimed.url} but the code is ${profile.key}`);
}

function claimedVital(url: unknown): boolean {
  return MEASURE_PROFILES.some((p) => p.vitalSign && p.url === url);
}

function checkCategory(obs: Json, profile: MeasureProfile | undefined, push: Push): void {
  // observation-vitalsigns.html: category slice VSCat 1..1 = observation-category#vital-signs.
  const claims = list(obs.category).some((c) => hasCoding(c, OBSERVATION_CATEGORY, 'vital-signs'));
  if (profile && !profile.vitalSign) {
    if (claims)
      push(
        'category',
        '/category',
        `${profile.key} (${profile.loinc.join(', ')}) is not in the vital-signs value set`,
      );
    return;
  }
  if (!claims) push('category', '/category', `category must include ${OBSERVATION_CATEGORY}|vital-signs`);
}

function checkEffective(obs: Json, push: Push): void {
  // effective[x] 1..1, restricted to dateTime | Period in observation-vitalsigns.html.
  const dt = obs.effectiveDateTime;
  if (dt === undefined && obs.effectivePeriod === undefined) {
    push('effective[x]', '/effective[x]', 'effectiveDateTime or effectivePeriod is required');
    return;
  }
  if (obs.effectiveTiming !== undefined || obs.effectiveInstant !== undefined)
    push('effective[x]', '/effective[x]', 'vital signs allow only effectiveDateTime or effectivePeriod');
  // vs-1: "if Observation.effective[x] is dateTime and has a value then that value shall be precise to the day".
  if (typeof dt === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(dt))
    push('vs-1', '/effectiveDateTime', `effectiveDateTime ${dt} is not precise to the day`);
}

function checkValue(element: Json, base: string, units: readonly string[] | undefined, push: Push): void {
  const keys = valueKeys(element);
  if (keys.length > 1)
    push('value[x]', base || '/', `only one value[x] is allowed, found ${keys.join(', ')}`);
  // obs-6 (core Observation): dataAbsentReason SHALL only be present if value[x] is not present.
  if (keys.length > 0 && element.dataAbsentReason !== undefined)
    push('obs-6', `${base}/dataAbsentReason`, 'dataAbsentReason present together with a value');
  if (!units || units.length === 0 || keys.length === 0) return;
  // Each measure profile narrows value[x] to Quantity with value, unit, system and code 1..1, system fixed to UCUM.
  const q = element.valueQuantity;
  if (!isObject(q)) {
    push('value[x]', `${base}/${keys[0]}`, 'the profile allows only valueQuantity');
    return;
  }
  const at = `${base}/valueQuantity`;
  if (typeof q.value !== 'number') push('ucum', `${at}/value`, 'valueQuantity.value is required');
  if (typeof q.unit !== 'string') push('ucum', `${at}/unit`, 'valueQuantity.unit is required');
  if (q.system !== UCUM) push('ucum', `${at}/system`, `valueQuantity.system must be ${UCUM}`);
  if (typeof q.code !== 'string' || !units.includes(q.code))
    push('ucum', `${at}/code`, `UCUM code ${String(q.code)} not allowed here; use ${units.join(' | ')}`);
}

function checkComponentPresent(obs: Json, rule: ComponentRule, push: Push): void {
  if (!list(obs.component).some((c) => isObject(c) && hasCoding(c.code, LOINC, rule.loinc)))
    push('component', '/component', `missing the component coded ${LOINC}|${rule.loinc}`);
}
