// The cloudHPC web addresses the app may open in the system browser (the web app, its docs and site).
// The core's open-path rule and the Electron shell's external-link rule both use this one list.
export const CLOUDHPC_WEB_HOSTS: readonly string[] = ['cloud.cfdfeaservice.it', 'docs.cloudhpc.cloud', 'cloudhpc.cloud', 'www.cloudhpc.cloud'];
