import type { ServiceDesk, ServiceDeskFactoryParameters } from '@carbon/ai-chat';
import { readOptions, type ParleyServiceDeskInput } from './options.js';
import { ParleyServiceDesk } from './service-desk.js';

// The script a business loads beside watsonx Assistant web chat (or @carbon/ai-chat): /watson.js, built by
// `npm run build` into one file that defines `window.ParleyWatson`. Its factory goes in web chat's options:
//   serviceDeskFactory: ParleyWatson.serviceDeskFactory({ url: 'https://chat.example.com', entryPoint: 'support' })

export type { ParleyServiceDeskInput } from './options.js';
export { ParleyServiceDesk } from './service-desk.js';

export const version = '0.1.0';

export function serviceDeskFactory(input: ParleyServiceDeskInput): (parameters: ServiceDeskFactoryParameters) => Promise<ServiceDesk> {
  const options = readOptions(input);
  return (parameters) => Promise.resolve(new ParleyServiceDesk(parameters, options));
}
