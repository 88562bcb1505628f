// What each endpoint lets a person do, in words: the service refuses an endpoint the key may not
// use with "Unauthorized.", and the UI then names the feature that is unavailable.
const FEATURES: [RegExp, string][] = [
  [/^GET \/simulation\/view-(ram|scripts)/, 'the lists of RAM classes and solvers'],
  [/^POST \/simulation\/add/, 'launching simulations'],
  [/^PUT \/simulation\/stop/, 'stopping simulations'],
  [/^PUT \/simulation\/sync/, 'SYNC of partial results'],
  [/^GET \/simulation\/index-short/, 'the list of simulations'],
  [/^GET \/simulation\/view-short/, 'the status of a simulation'],
  [/^GET \/simulation\/view\//, 'simulation logs'],
  [/^POST \/storage\/upload-url/, 'uploads'],
  [/^DELETE \/user\/delete-cache/, 'refreshing the storage listing'],
  [/^POST \/storage\/view-by-path/, 'finding storage files by path'],
  [/^GET \/storage\/(download|view-url)/, 'downloads'],
  [/^GET \/storage\/index/, 'storage listings'],
  [/^DELETE \/storage\/delete/, 'deleting storage files'],
];

/** The feature an endpoint ("GET /storage/view-url/{id}") serves, in words. */
export function featureOf(endpoint: string): string {
  return FEATURES.find(([re]) => re.test(endpoint))?.[1] ?? endpoint;
}
