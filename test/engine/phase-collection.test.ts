import * as yamlDump from '../../src/render/yaml-dump';
import * as verify from '../../src/engine/verify';
import { collectBetweenPhases, setPhaseCollector } from '../../src/engine/phase-collection';
import { synthesizeDocuments } from '../../src/engine/synth';
import { appSpec } from '../util';

describe('phase collection', () => {
  afterEach(() => {
    setPhaseCollector(undefined);
    jest.restoreAllMocks();
  });

  test('a synth run calls the registered collection once, after the analysis and before any YAML is written', () => {
    const events: string[] = [];
    const analyse = verify.verifyObjects;
    jest.spyOn(verify, 'verifyObjects').mockImplementation((...args) => { events.push('analysis'); return analyse(...args); });
    const dump = yamlDump.manifestYaml;
    jest.spyOn(yamlDump, 'manifestYaml').mockImplementation((o) => { events.push('yaml'); return dump(o); });
    setPhaseCollector(() => events.push('collect'));
    const docs = ['a', 'b'].map((name, index) => ({ file: `${name}.yaml`, index, doc: appSpec({}, { name, namespace: 'shop' }) }));
    const result = synthesizeDocuments(docs);
    expect(result.issues.filter((i) => !i.warning)).toEqual([]);
    const collect = events.indexOf('collect');
    expect(events.filter((e) => e === 'collect')).toHaveLength(1);
    expect(events.slice(0, collect)).toEqual(['analysis']);
    expect(events.slice(collect + 1).length).toBeGreaterThan(0);
    expect(events.slice(collect + 1).every((e) => e === 'yaml')).toBe(true);
  });

  test('a run that stops on errors does not collect, and nothing is called once the collection is removed', () => {
    let calls = 0;
    setPhaseCollector(() => calls++);
    const bad = synthesizeDocuments([{ file: 'a.yaml', index: 0, doc: appSpec({ replicas: -1 }) }]);
    expect(bad.issues.some((i) => !i.warning)).toBe(true);
    expect(calls).toBe(0);
    setPhaseCollector(undefined);
    collectBetweenPhases();
    expect(calls).toBe(0);
  });
});
