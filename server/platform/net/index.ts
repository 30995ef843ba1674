export {
  isPrivateAddress,
  safeFetch,
  SafeFetchError,
  type Resolver,
  type SafeFetchErrorCode,
  type SafeFetchOptions,
  type SafeResponse,
} from './safe-fetch';
