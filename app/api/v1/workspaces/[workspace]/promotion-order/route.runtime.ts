import { setPromotionOrderEndpoint } from '@/lib/api/endpoints/catalog';
import { handleSetPromotionOrder } from '@/lib/catalog/handlers';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const PUT = withApi(setPromotionOrderEndpoint, handleSetPromotionOrder);
export const { GET, POST, PATCH, DELETE, OPTIONS } = otherMethods(['PUT']);
