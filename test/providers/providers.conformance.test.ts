/**
 * Runs the shared provider conformance suite against every provider in the catalog.
 *
 * The local HTTP wire server stands in for the cloud APIs: no real cloud API can be reached
 * from the machines these tests run on.
 */
import { expect, test } from 'vitest';
import { providerNames } from '../../packages/core/src/providers/catalog.js';
import { runProviderConformance } from './conformance.case.js';
import { PROVIDER_CASES } from './provider-cases.js';

test('every provider in the catalog has a conformance case', () => {
  expect(PROVIDER_CASES.map((c) => c.provider).sort()).toEqual(providerNames().sort());
});

for (const c of PROVIDER_CASES) runProviderConformance(c);
