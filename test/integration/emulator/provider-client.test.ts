// Replays the call sequences of the provider's public bash client `cloudHPCexec`
// (CFD-FEA-SERVICE/CloudHPC, exampleAPI/cloudHPCexec at commit caa7a0f, 2025-11-03 "cloudHPCexec new
// batchONL"; its code is not in this repository) against the DEFAULT emulator profile: the same
// paths, bodies (jq's pretty-printed JSON, every value a string), headers (its APIcloudHPC function
// sends X-API-Key, Accept and Content-Type on every call, and a body "" on GETs), loops and checks
// (`jq -e '.errors'` first, then `.response.X`). The waits of the script (sleep 60 / sleep 2) become
// simulated-clock advances.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index';
import { emulator, tarGz, tarList } from './helpers';

const APIKEY = 'provider-client-key';

/** The script's `exit` after printing errors[0]. */
class ScriptExit extends Error {}

type Json = { response?: unknown; errors?: unknown[] };

/**
 * `APIcloudHPC METHOD URL [DATA]`: curl -s -X METHOD URL -H "X-API-Key: $apikey" --header
 * 'Accept: application/json' -H 'Content-Type:application/json' -d "$3" — a body is sent even when
 * empty (curl -d ""), then `jq -e '.errors'` decides.
 */
function apiCloudHpc(base: string, method: string, path: string, data = '', key = APIKEY): Promise<Json> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(data);
    const req = request(`${base}${path}`, { method, headers: { 'X-API-Key': key, Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': String(body.length) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const json = JSON.parse(text) as Json;
        if (json.errors) reject(new ScriptExit(String(json.errors[0])));
        else resolve(json);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `jq -n --arg ... '{...}'`: pretty-printed with two spaces, every value a string. */
const jqN = (o: Record<string, string>): string => JSON.stringify(o, null, 2);

class CloudHPCexec {
  constructor(private readonly emu: Emulator) {}

  private api(method: string, path: string, data = ''): Promise<Json> {
    return apiCloudHpc(this.emu.url, method, path, data);
  }

  /** The dialog menus of the interactive launch: view-cpu, view-ram, view-scripts. */
  async menus(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const p of ['view-cpu', 'view-ram', 'view-scripts']) out.push((await this.api('GET', `/simulation/${p}`)).response);
    return out;
  }

  /**
   * The launch part shared by -batch, -batchREG and the interactive mode: `tar -I pigz -cf
   * upload.tar.gz *` (content at the archive root), upload-url for upload.tar.gz, `curl -X PUT -T`,
   * delete-cache, then simulation/add with every value a string. `regular` is "" in the interactive
   * mode (the variable is never set there), "0" for -batch and "1" for -batchREG.
   */
  async launch(files: Record<string, string>, cpu: string, ram: string, script: string, folderStorage: string, regular: string, mesh = ''): Promise<number> {
    const archive = await tarGz(files);
    const json = jqN({ dirname: folderStorage, filename: 'upload.tar.gz', contentType: 'application/octet-stream' });
    const uploadUrl = ((await this.api('POST', '/storage/upload-url', json)).response as { url: string }).url;
    const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(archive) });
    expect(put.status).toBe(200);
    await this.api('DELETE', '/user/delete-cache');
    const add = jqN({ cpu, ram, folder: folderStorage, script, nopre: regular, mesh });
    const id = (await this.api('POST', '/simulation/add', add)).response;
    expect(typeof id).toBe('number');
    return id as number;
  }

  /** `cloudHPCexec -batch CPU RAM SCRIPT FOLDER [MESH]` (-batchREG: regular "1"). */
  batch(files: Record<string, string>, cpu: string, ram: string, script: string, folderStorage: string, mesh = '', regular = '0'): Promise<number> {
    return this.launch(files, cpu, ram, script, folderStorage, regular, mesh);
  }

  /** `cloudHPCexec` without options: the menus, then the launch with nopre "". */
  async interactive(files: Record<string, string>, pick: { cpu: string; ram: string; script: string }, folderStorage: string): Promise<number> {
    const [cpus, rams, scripts] = await this.menus();
    expect(cpus).toContain(Number(pick.cpu));
    expect(rams).toContain(pick.ram);
    expect(scripts).toContain(pick.script);
    return this.launch(files, pick.cpu, pick.ram, pick.script, folderStorage, '');
  }

  /** `cloudHPCexec -wait ID`: sleep 60, view-short, until `jq .response.status` is not 30/40/20. */
  async wait(id: number): Promise<{ polls: number; status: string }> {
    for (let polls = 1; polls < 1000; polls++) {
      await this.emu.clock.advance(60);
      const status = JSON.stringify(((await this.api('GET', `/simulation/view-short/${id}`)).response as { status: unknown }).status);
      if (status !== '30' && status !== '40' && status !== '20') return { polls, status };
    }
    throw new Error('never finished');
  }

  /** `cloudHPCexec -soft ID` / `-hard ID`. */
  async stop(id: number, hard: boolean): Promise<unknown> {
    return (await this.api('PUT', `/simulation/stop/${id}`, hard ? '{ "signal": "SIGINT" }' : '{ "signal": "SIGTSTP" }')).response;
  }

  /** `-soft`/`-hard` without ID: index-short/edate/asc/1, `select( .status == 30 )`. */
  async running(): Promise<{ id: number; folder: string }[]> {
    const list = (await this.api('GET', '/simulation/index-short/edate/asc/1')).response as { id: number; folder: string; status: number }[];
    return list.filter((s) => s.status === 30).map(({ id, folder }) => ({ id, folder }));
  }

  private async idByPath(filepath: string): Promise<unknown> {
    return ((await this.api('POST', '/storage/view-by-path', jqN({ path: filepath }))).response as { id?: unknown }).id;
  }

  /** `cloudHPCexec -download PATH`: view-by-path, then view-url while mediaLink is empty (sleep 2), wget. */
  async download(filepath: string): Promise<{ bytes: Buffer; viewUrlCalls: number }> {
    const fileId = await this.idByPath(filepath);
    let url = '';
    let viewUrlCalls = 0;
    while (!url) {
      const r = await this.api('GET', `/storage/view-url/${String(fileId)}`);
      viewUrlCalls++;
      const m = (r.response as { mediaLink?: string | null }).mediaLink;
      url = m === null || m === undefined ? 'null' : m; // jq -r prints null as "null"
      if (url === 'null') throw new Error('wget would fetch "null"');
      await this.emu.clock.advance(2);
    }
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return { bytes: Buffer.from(await res.arrayBuffer()), viewUrlCalls };
  }

  /**
   * `cloudHPCexec -download` without a path, folder number `n` (1-based) picked in the dialog: index
   * name/asc/1 for the folders, index size/desc/parent_id/ID/1 for its files ("ordered by size so
   * results are in the first page"), `grep 'tar.gz\|rmed|frd' | grep -v 'CloudHPC-massive-files.tar.gz'`.
   */
  async downloadFolderPick(n: number): Promise<string[]> {
    const root = (await this.api('GET', '/storage/index/name/asc/1')).response as { basename: string; id: number }[];
    const folderId = root[n - 1]!.id;
    const files = (await this.api('GET', `/storage/index/size/desc/parent_id/${folderId}/1`)).response as { name: string }[];
    return files.map((f) => f.name).filter((name) => /tar\.gz|rmed\|frd/.test(name) && !name.includes('CloudHPC-massive-files.tar.gz'));
  }

  /** `cloudHPCexec -delete PATH`: delete-cache, view-by-path, delete. */
  async delete(filepath: string): Promise<unknown> {
    await this.api('DELETE', '/user/delete-cache');
    const fileId = await this.idByPath(filepath);
    return (await this.api('DELETE', `/storage/delete/${String(fileId)}`)).response;
  }

  /** `cloudHPCexec -deleteSIM ID`: the folder from view-short, then -delete FOLDER. */
  async deleteSim(id: number): Promise<unknown> {
    const folder = ((await this.api('GET', `/simulation/view-short/${id}`)).response as { folder: string }).folder;
    return this.delete(folder);
  }
}

const CASE = {
  'room_fire.fds': "&HEAD CHID='room_fire' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n",
  'notes/readme.txt': 'sample',
};

describe("the provider's bash client call sequences (default emulator profile)", () => {
  it('-batch, -wait, -download of the result archive, -delete of a path, -deleteSIM', async () => {
    const emu = await emulator({ apiKey: APIKEY, emptyMediaLinkCalls: 1 });
    expect(emu.profile).toBe('evidence');
    const client = new CloudHPCexec(emu);
    const id = await client.batch(CASE, '4', 'standard', 'fds6.9.1', 'fireA');
    expect(emu.simulations(APIKEY)[0]).toMatchObject({ id, cpu: 4, nopre: 0, mesh: '', folder: 'fireA', status: 20 });
    const waited = await client.wait(id);
    expect(waited.status).toBe('10');
    expect(waited.polls).toBe(4);
    const files = await emu.files(APIKEY, 'fireA');
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['upload.tar.gz', 'room_fire.fds', 'notes/readme.txt', 'FDS.tar.gz', 'cloudhpc.log']));
    const picked = await client.downloadFolderPick(1);
    expect(picked).toEqual(expect.arrayContaining(['fireA/FDS.tar.gz', 'fireA/upload.tar.gz']));
    const { bytes, viewUrlCalls } = await client.download('fireA/FDS.tar.gz');
    expect(viewUrlCalls).toBe(2); // the first mediaLink is empty: asked again after sleep 2
    expect(await tarList(bytes)).toContain('room_fire_hrr.csv');
    expect(await client.delete('fireA/cloudhpc.log')).toBe(true);
    expect(await emu.files(APIKEY, 'fireA')).not.toHaveProperty(['cloudhpc.log']);
    expect(await client.deleteSim(id)).toBe(true);
    expect(await emu.files(APIKEY, '')).toEqual({});
  });

  it('the interactive launch (dialog menus) sends nopre "" and completes; a fresh file is downloaded once its link is ready', async () => {
    const emu = await emulator({ apiKey: APIKEY });
    const client = new CloudHPCexec(emu);
    const id = await client.interactive(CASE, { cpu: '2', ram: 'highcpu', script: 'fds6.9.1' }, 'fireI');
    expect(emu.simulations(APIKEY).find((s) => s.id === id)).toMatchObject({ nopre: '', mesh: '', cpu: 2 });
    expect((await client.wait(id)).status).toBe('10');
    // a file the service has just written: its mediaLink is empty in its first second, the loop waits
    await emu.seedFile(APIKEY, 'fireI/fresh.rmed', 'fresh');
    const fresh = await client.download('fireI/fresh.rmed');
    expect(fresh.bytes.toString()).toBe('fresh');
    expect(fresh.viewUrlCalls).toBe(2);
  });

  it('-soft and -hard stops, with the list of running simulations it shows', async () => {
    const emu = await emulator({ apiKey: APIKEY });
    const client = new CloudHPCexec(emu);
    const soft = await client.batch(CASE, '2', 'highcpu', 'fds6.9.1', 'softA');
    const hard = await client.batch(CASE, '2', 'highcpu', 'fds6.9.1', 'hardA', '', '1');
    await emu.clock.advance(90);
    expect((await client.running()).map((r) => r.id).sort()).toEqual([soft, hard].sort());
    expect(await client.stop(soft, false)).toBe(true);
    expect(await client.stop(hard, true)).toBe(true);
    expect(await client.running()).toEqual([]);
    const w = await client.wait(soft);
    expect(w.status).toBe('50');
    expect(Object.keys(await emu.files(APIKEY, 'softA'))).toContain('FDS.tar.gz');
    expect(Object.keys(await emu.files(APIKEY, 'hardA'))).not.toContain('FDS.tar.gz');
    expect(emu.simulations(APIKEY).find((s) => s.id === hard)).toMatchObject({ status: 50, nopre: 1 });
  });

  it('what the client reads on a bad key, an unknown id and the rate limit: errors[0], then it exits', async () => {
    const emu = await emulator({ keys: [{ key: APIKEY, hourlyLimit: 2 }] });
    await expect(apiCloudHpc(emu.url, 'GET', '/simulation/view-short/1', '', 'typo')).rejects.toThrow(new ScriptExit('Unauthorized.'));
    await expect(apiCloudHpc(emu.url, 'GET', '/simulation/view-short/1')).rejects.toThrow(new ScriptExit('A technical problem has occurred, try again later.'));
    await apiCloudHpc(emu.url, 'GET', '/simulation/view-cpu');
    await expect(apiCloudHpc(emu.url, 'GET', '/simulation/view-cpu')).rejects.toThrow(new ScriptExit('Hourly rate limit reached (2 requests per hour)'));
  });
});
