// Replays the call sequences of the provider's public bash client `cloudHPCexec`
// (CFD-FEA-SERVICE/CloudHPC, exampleAPI/cloudHPCexec; its code is not in this repository) with the
// same paths, bodies (jq's pretty-printed JSON, string-typed values), header spellings and loops.
// The waits of the script (sleep 60 / sleep 2) become simulated-clock advances.
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index';
import { emulator, tarGz, tarList } from './helpers';

const APIKEY = 'provider-client-key';

/** `curl -s -X <method> <url> -H ...` : the body text as curl prints it. */
async function curl(method: string, url: string, headers: Record<string, string>, data?: string): Promise<string> {
  const res = await fetch(url, { method, headers, body: data });
  return res.text();
}

/** `jq -n --arg ... '{...}'`: pretty-printed with two spaces, every value a string. */
const jqN = (o: Record<string, string>): string => JSON.stringify(o, null, 2);

/** `python -m json.tool | jq .response.X` */
const jqResponse = (text: string): { response?: Record<string, unknown> | unknown[] | number; errors?: string[] } => JSON.parse(text) as never;

class CloudHPCexec {
  constructor(private readonly emu: Emulator) {}

  private get base(): string {
    return this.emu.url;
  }

  /** `cloudHPCexec -batch CPU RAM SCRIPT FOLDER [MESH]` run in a local folder named `localFolder`. */
  async batch(localFolder: string, files: Record<string, string>, cpu: string, ram: string, script: string, folderStorage: string, mesh = '', regular = '0'): Promise<number> {
    // tar -I pigz -cf $FOLDER.tar.gz *   (content at the archive root)
    const archive = await tarGz(files);
    const json = jqN({ dirname: folderStorage, filename: `${localFolder}.tar.gz`, contentType: 'application/octet-stream' });
    const uploadUrl = (jqResponse(await curl('POST', `${this.base}/storage/upload-url`, { 'X-API-key': APIKEY, 'Content-Type': 'application/json', Accept: 'application/json' }, json)).response as { url: string }).url;
    // curl -s -X PUT -H 'Content-Type: application/octet-stream' -T $FOLDER.tar.gz $UPLOAD_URL
    const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(archive) });
    expect(put.status).toBe(200);
    const add = jqN({ cpu, ram, folder: folderStorage, script, nopre: regular, mesh });
    const reply = jqResponse(await curl('POST', `${this.base}/simulation/add`, { 'X-API-key': APIKEY, 'Content-Type': 'application/json', Accept: 'application/json' }, add));
    expect(reply.errors).toBeUndefined();
    expect(typeof reply.response).toBe('number');
    return reply.response as number;
  }

  /** `cloudHPCexec -wait ID`: sleep 60, view-short, until status is not 30/40/20. Returns the polls made. */
  async wait(id: number): Promise<{ polls: number; status: string }> {
    for (let polls = 1; polls < 1000; polls++) {
      await this.emu.clock.advance(60);
      const status = JSON.stringify((jqResponse(await curl('GET', `${this.base}/simulation/view-short/${id}`, { 'X-API-key': APIKEY, Accept: 'application/json' })).response as { status: unknown }).status);
      if (status !== '30' && status !== '40' && status !== '20') return { polls, status };
    }
    throw new Error('never finished');
  }

  /** `cloudHPCexec -soft ID` / `-hard ID`. */
  async stop(id: number, hard: boolean): Promise<string> {
    return curl('PUT', `${this.base}/simulation/stop/${id}`, { 'X-API-key': APIKEY, Accept: 'application/json', 'Content-Type': 'application/json' }, hard ? '{ "signal": "SIGINT" }' : '{ "signal": "SIGTSTP" }');
  }

  /** `-soft`/`-hard` without ID: the list of running simulations it shows. */
  async running(): Promise<{ id: number; folder: string }[]> {
    const list = jqResponse(await curl('GET', `${this.base}/simulation/index-short/edate/asc/1`, { 'X-API-key': APIKEY, Accept: 'application/json' })).response as { id: number; folder: string; status: number }[];
    return list.filter((s) => s.status === 30).map(({ id, folder }) => ({ id, folder }));
  }

  private async idByPath(filepath: string): Promise<unknown> {
    const json = jqN({ path: filepath });
    const r = jqResponse(await curl('POST', `${this.base}/storage/view-by-path`, { 'X-API-key': APIKEY, Accept: 'application/json', 'Content-Type': 'application/json' }, json));
    return (r.response as { id?: unknown } | undefined)?.id ?? null;
  }

  /** `cloudHPCexec -download PATH`: view-by-path, view-url until mediaLink is set (sleep 2), wget. */
  async download(filepath: string): Promise<{ bytes: Buffer; viewUrlCalls: number }> {
    const fileId = await this.idByPath(filepath);
    let url = '';
    let viewUrlCalls = 0;
    while (!url) {
      const r = jqResponse(await curl('GET', `${this.base}/storage/view-url/${String(fileId)}`, { 'X-API-key': APIKEY, 'Content-Type': 'application/json' }));
      viewUrlCalls++;
      url = String((r.response as { mediaLink?: string } | undefined)?.mediaLink ?? 'null');
      if (url === 'null') throw new Error(`view-url failed: ${JSON.stringify(r)}`);
      await this.emu.clock.advance(2);
    }
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return { bytes: Buffer.from(await res.arrayBuffer()), viewUrlCalls };
  }

  /** `cloudHPCexec -download` without a path, folder number `n` (1-based) picked in the dialog. */
  async downloadFolderPick(n: number): Promise<string[]> {
    const root = jqResponse(await curl('GET', `${this.base}/storage/index/name/asc/1`, { 'X-API-Key': APIKEY, Accept: 'application/json' })).response as { basename: string; id: number }[];
    const folderId = root[n - 1]!.id;
    const files = jqResponse(await curl('GET', `${this.base}/storage/index/size/desc/parent_id/${folderId}/1`, { 'X-API-key': APIKEY, Accept: 'application/json' })).response as { name: string }[];
    return files.map((f) => f.name).filter((name) => /tar\.gz|rmed/.test(name));
  }

  /** `cloudHPCexec -delete PATH`. */
  async delete(filepath: string): Promise<string> {
    const fileId = await this.idByPath(filepath);
    return curl('DELETE', `${this.base}/storage/delete/${String(fileId)}`, { accept: 'application/json', 'X-API-Key': APIKEY });
  }

  /** `cloudHPCexec -deleteSIM ID`: the folder from view-short, then -delete FOLDER. */
  async deleteSim(id: number): Promise<string> {
    const folder = (jqResponse(await curl('GET', `${this.base}/simulation/view-short/${id}`, { 'X-API-key': APIKEY, Accept: 'application/json' })).response as { folder: string }).folder;
    return this.delete(folder);
  }

  /** The interactive menus: view-cpu, view-ram, view-scripts with `accept` and X-API-key. */
  async menus(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const p of ['view-cpu', 'view-ram', 'view-scripts']) {
      out.push(jqResponse(await curl('GET', `${this.base}/simulation/${p}`, { accept: 'application/json', 'X-API-key': APIKEY })).response);
    }
    return out;
  }
}

const CASE = {
  'room_fire.fds': "&HEAD CHID='room_fire' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n",
  'notes/readme.txt': 'sample',
};

describe("the provider's bash client call sequences", () => {
  it('-batch, -wait, -download of the result archive, -delete of a path, -deleteSIM', async () => {
    const emu = await emulator({ apiKey: APIKEY, emptyMediaLinkCalls: 1 });
    const client = new CloudHPCexec(emu);
    const [cpus, rams, scripts] = await client.menus();
    expect(cpus).toContain(4);
    expect(rams).toContain('standard');
    expect(scripts).toContain('fds6.9.1');
    const id = await client.batch('myLocalCase', CASE, '4', 'standard', 'fds6.9.1', 'fireA');
    expect(emu.simulations(APIKEY)[0]).toMatchObject({ id, cpu: 4, nopre: 0, mesh: '', folder: 'fireA', status: 20 });
    const waited = await client.wait(id);
    expect(waited.status).toBe('10');
    expect(waited.polls).toBe(4);
    const files = await emu.files(APIKEY, 'fireA');
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['myLocalCase.tar.gz', 'room_fire.fds', 'notes/readme.txt', 'FDS.tar.gz', 'cloudhpc.log']));
    const picked = await client.downloadFolderPick(1);
    expect(picked).toEqual(expect.arrayContaining(['fireA/FDS.tar.gz', 'fireA/myLocalCase.tar.gz']));
    const { bytes, viewUrlCalls } = await client.download('fireA/FDS.tar.gz');
    expect(viewUrlCalls).toBe(2);
    expect(await tarList(bytes)).toContain('room_fire_hrr.csv');
    expect(await client.delete('fireA/cloudhpc.log')).toBe('{"response":true}');
    expect(await emu.files(APIKEY, 'fireA')).not.toHaveProperty(['cloudhpc.log']);
    expect(await client.deleteSim(id)).toBe('{"response":true}');
    expect(await emu.files(APIKEY, '')).toEqual({});
  });

  it('-soft and -hard stops, with the list of running simulations it shows', async () => {
    const emu = await emulator({ apiKey: APIKEY });
    const client = new CloudHPCexec(emu);
    const soft = await client.batch('caseS', CASE, '2', 'highcpu', 'fds6.9.1', 'softA');
    const hard = await client.batch('caseH', CASE, '2', 'highcpu', 'fds6.9.1', 'hardA', '', '1');
    await emu.clock.advance(90);
    expect((await client.running()).map((r) => r.id).sort()).toEqual([soft, hard].sort());
    expect(await client.stop(soft, false)).toBe('{"response":true}');
    expect(await client.stop(hard, true)).toBe('{"response":true}');
    expect(await client.running()).toEqual([]);
    const w = await client.wait(soft);
    expect(w.status).toBe('50');
    expect(Object.keys(await emu.files(APIKEY, 'softA'))).toContain('FDS.tar.gz');
    expect(Object.keys(await emu.files(APIKEY, 'hardA'))).not.toContain('FDS.tar.gz');
    expect(emu.simulations(APIKEY).find((s) => s.id === hard)).toMatchObject({ status: 50, nopre: 1 });
  });

  it('what the client reads on a bad key: errors[0] and no response', async () => {
    const emu = await emulator({ apiKey: APIKEY });
    const text = await curl('GET', `${emu.url}/simulation/view-short/1`, { 'X-API-key': 'typo', Accept: 'application/json' });
    expect(jqResponse(text)).toEqual({ errors: ['Unauthorized.'] });
  });
});
