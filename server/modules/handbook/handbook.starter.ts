import type { Clock } from '@server/platform/clock';
import { newId } from '@server/platform/ids';
import {
  handbookStarterLanguages,
  type HandbookStarterLanguage,
  type Item,
} from '@common/api/handbook';
import type { HandbookRepo, PageRecord } from './handbook.repo';
import { indexesOf } from './handbook.service';
import { slugify } from './handbook.text';
import { onlyUntouchedStarter, STARTER_KEY } from './handbook.transfer';

export type StarterLanguage = HandbookStarterLanguage;

interface StarterPage {
  title: string;
  paragraphs: string[];
}
interface StarterSection {
  head: StarterPage;
  pages: StarterPage[];
}
interface Starter {
  home: StarterPage;
  sections: StarterSection[];
}

const en: Starter = {
  home: {
    title: 'Home',
    paragraphs: [
      'This is our co-op’s handbook: where we write down why we exist, how we share the work and the costs, and how we decide. Every member may read it; the edit policy says who may change it.',
      'Start with [[Principles]], then [[Political economy]], [[Social relations]] and [[Assemblies & deliberations]]. Our rules are in the [[Constitution]] and the [[Code of practice]]; words we use with a special meaning are in [[Keywords]].',
      'These pages are templates: replace each paragraph with your own words.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Principles',
        paragraphs: [
          'What we stand for, in four pages: [[Mission & vision]], [[Spaces]], [[Commoning]] and [[Principles & protocols]].',
        ],
      },
      pages: [
        {
          title: 'Mission & vision',
          paragraphs: [
            'Say in a few sentences what the co-op is for, whom it serves and what world it works towards. #mission',
          ],
        },
        {
          title: 'Spaces',
          paragraphs: [
            'Describe the online meeting spaces the co-op provides: who may use them, what service levels exist and what fair use means here. #spaces',
          ],
        },
        {
          title: 'Commoning',
          paragraphs: [
            'Explain how members look after the shared infrastructure together: enjoying it, provisioning it and stewarding it. #commoning',
          ],
        },
        {
          title: 'Principles & protocols',
          paragraphs: [
            'List the principles the co-op holds to and the protocols that put them into practice, each with a link to its page. #protocols',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Political economy',
        paragraphs: [
          'How money, hours and in-kind contributions come in, how budgets are set and how we pay a fair wage. Link the current budget and the contribution scales here. #economy',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Social relations',
        paragraphs: [
          'Who the members are (member classes, circles, stewards), how people join and leave, and how we care for each other. #membership',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Assemblies & deliberations',
        paragraphs: [
          'How assemblies are called, how proposals are made and discussed, and which decision methods we use (consent, vote) with their quorum. #decisions',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Keywords',
        paragraphs: [
          'Words with a special meaning in this handbook. Tag a page with #keyword to list it in the keyword index.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Constitution',
        paragraphs: [
          'The co-op’s founding rules as registered: its purpose, membership, governance and how the rules themselves are changed. #constitution',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Code of practice',
        paragraphs: [
          'What we expect of each other in meetings and in shared work, and what happens when something goes wrong. #conduct',
        ],
      },
      pages: [],
    },
  ],
};

const es: Starter = {
  home: {
    title: 'Inicio',
    paragraphs: [
      'Este es el manual de nuestra cooperativa: aquí escribimos por qué existimos, cómo compartimos el trabajo y los costes y cómo decidimos. Toda persona socia puede leerlo; la política de edición dice quién puede cambiarlo.',
      'Empieza por [[Principios]] y sigue con [[Economía política]], [[Relaciones sociales]] y [[Asambleas y deliberaciones]]. Nuestras normas están en los [[Estatutos]] y el [[Código de buenas prácticas]]; las palabras con un sentido propio están en [[Palabras clave]].',
      'Estas páginas son plantillas: sustituye cada párrafo por vuestras propias palabras.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Principios',
        paragraphs: [
          'Lo que defendemos, en cuatro páginas: [[Misión y visión]], [[Espacios]], [[Procomún]] y [[Principios y protocolos]].',
        ],
      },
      pages: [
        {
          title: 'Misión y visión',
          paragraphs: [
            'Di en pocas frases para qué existe la cooperativa, a quién sirve y hacia qué mundo trabaja. #misión',
          ],
        },
        {
          title: 'Espacios',
          paragraphs: [
            'Describe los espacios de reunión en línea que ofrece la cooperativa: quién puede usarlos, qué niveles de servicio hay y qué significa aquí un uso justo. #espacios',
          ],
        },
        {
          title: 'Procomún',
          paragraphs: [
            'Explica cómo las socias cuidan juntas la infraestructura compartida: disfrutarla, aprovisionarla y custodiarla. #procomún',
          ],
        },
        {
          title: 'Principios y protocolos',
          paragraphs: [
            'Enumera los principios de la cooperativa y los protocolos que los llevan a la práctica, cada uno con un enlace a su página. #protocolos',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Economía política',
        paragraphs: [
          'Cómo entran el dinero, las horas y las aportaciones en especie, cómo se fijan los presupuestos y cómo pagamos un salario justo. #economía',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Relaciones sociales',
        paragraphs: [
          'Quiénes son las socias (clases de socias, círculos, custodias), cómo se entra y se sale y cómo nos cuidamos. #membresía',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Asambleas y deliberaciones',
        paragraphs: [
          'Cómo se convocan las asambleas, cómo se presentan y debaten las propuestas y qué métodos de decisión usamos (consentimiento, votación) con su quórum. #decisiones',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Palabras clave',
        paragraphs: [
          'Palabras con un sentido propio en este manual. Marca una página con #palabra para que aparezca en el índice de palabras clave.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Estatutos',
        paragraphs: [
          'Las normas fundacionales registradas de la cooperativa: su objeto, la membresía, el gobierno y cómo se cambian las propias normas. #estatutos',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Código de buenas prácticas',
        paragraphs: [
          'Lo que esperamos unas de otras en las reuniones y en el trabajo compartido, y qué pasa cuando algo va mal. #conducta',
        ],
      },
      pages: [],
    },
  ],
};

const ca: Starter = {
  home: {
    title: 'Inici',
    paragraphs: [
      'Aquest és el manual de la nostra cooperativa: on escrivim per què existim, com compartim la feina i els costos i com decidim. Tots els membres el poden llegir; la política d’edició diu qui el pot canviar.',
      'Comença pels [[Principis]], i després [[Economia política]], [[Relacions socials]] i [[Assemblees i deliberacions]]. Les nostres normes són als [[Estatuts]] i al [[Codi de pràctica]]; les paraules que fem servir amb un sentit propi són a [[Paraules clau]].',
      'Aquestes pàgines són plantilles: substitueix cada paràgraf per les teves pròpies paraules.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Principis',
        paragraphs: [
          'El que defensem, en quatre pàgines: [[Missió i visió]], [[Espais]], [[Procomú]] i [[Principis i protocols]].',
        ],
      },
      pages: [
        {
          title: 'Missió i visió',
          paragraphs: [
            'Digues en poques frases per a què existeix la cooperativa, a qui serveix i cap a quin món treballa. #missió',
          ],
        },
        {
          title: 'Espais',
          paragraphs: [
            'Descriu els espais de reunió en línia que ofereix la cooperativa: qui els pot fer servir, quins nivells de servei hi ha i què vol dir aquí un ús just. #espais',
          ],
        },
        {
          title: 'Procomú',
          paragraphs: [
            'Explica com els membres tenen cura plegats de la infraestructura compartida: gaudir-ne, proveir-la i custodiar-la. #procomú',
          ],
        },
        {
          title: 'Principis i protocols',
          paragraphs: [
            'Enumera els principis de la cooperativa i els protocols que els porten a la pràctica, cadascun amb un enllaç a la seva pàgina. #protocols',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Economia política',
        paragraphs: [
          'Com entren els diners, les hores i les aportacions en espècie, com es fixen els pressupostos i com paguem un sou just. Enllaça aquí el pressupost vigent i les escales d’aportació. #economia',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Relacions socials',
        paragraphs: [
          'Qui són els membres (classes de membres, cercles, persones administradores), com s’hi entra i se’n surt i com ens cuidem. #membres',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Assemblees i deliberacions',
        paragraphs: [
          'Com es convoquen les assemblees, com es presenten i es debaten les propostes i quins mètodes de decisió fem servir (consentiment, votació) amb el seu quòrum. #decisions',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Paraules clau',
        paragraphs: [
          'Paraules amb un sentit propi en aquest manual. Marca una pàgina amb #paraula perquè aparegui a l’índex de paraules clau.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Estatuts',
        paragraphs: [
          'Les normes fundacionals registrades de la cooperativa: el seu objecte, els membres, el govern i com es canvien les mateixes normes. #estatuts',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Codi de pràctica',
        paragraphs: [
          'El que esperem les unes de les altres a les reunions i a la feina compartida, i què passa quan alguna cosa va malament. #conducta',
        ],
      },
      pages: [],
    },
  ],
};

const fr: Starter = {
  home: {
    title: 'Accueil',
    paragraphs: [
      'Voici le manuel de notre coopérative : nous y écrivons pourquoi nous existons, comment nous partageons le travail et les coûts, et comment nous décidons. Chaque membre peut le lire ; la règle d’édition dit qui peut le modifier.',
      'Commencez par les [[Principes]], puis [[Économie politique]], [[Relations sociales]] et [[Assemblées et délibérations]]. Nos règles sont dans les [[Statuts]] et le [[Code de pratique]] ; les mots que nous employons dans un sens particulier sont dans [[Mots-clés]].',
      'Ces pages sont des modèles : remplacez chaque paragraphe par vos propres mots.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Principes',
        paragraphs: [
          'Ce que nous défendons, en quatre pages : [[Mission et vision]], [[Espaces]], [[Communs]] et [[Principes et protocoles]].',
        ],
      },
      pages: [
        {
          title: 'Mission et vision',
          paragraphs: [
            'Dites en quelques phrases à quoi sert la coopérative, qui elle sert et vers quel monde elle travaille. #mission',
          ],
        },
        {
          title: 'Espaces',
          paragraphs: [
            'Décrivez les espaces de réunion en ligne que fournit la coopérative : qui peut les utiliser, quels niveaux de service existent et ce que veut dire ici un usage équitable. #espaces',
          ],
        },
        {
          title: 'Communs',
          paragraphs: [
            'Expliquez comment les membres prennent soin ensemble de l’infrastructure partagée : en profiter, l’approvisionner et en assurer l’intendance. #communs',
          ],
        },
        {
          title: 'Principes et protocoles',
          paragraphs: [
            'Listez les principes de la coopérative et les protocoles qui les mettent en pratique, chacun avec un lien vers sa page. #protocoles',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Économie politique',
        paragraphs: [
          'Comment arrivent l’argent, les heures et les contributions en nature, comment les budgets sont fixés et comment nous versons un salaire équitable. Liez ici le budget en cours et les barèmes de contribution. #économie',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Relations sociales',
        paragraphs: [
          'Qui sont les membres (catégories de membres, cercles, conseil d’intendance), comment on entre et on sort, et comment nous prenons soin les uns des autres. #adhésion',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Assemblées et délibérations',
        paragraphs: [
          'Comment les assemblées sont convoquées, comment les propositions sont faites et discutées, et quelles méthodes de décision nous utilisons (consentement, vote) avec leur quorum. #décisions',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Mots-clés',
        paragraphs: [
          'Les mots qui ont un sens particulier dans ce manuel. Marquez une page avec #motclé pour la faire figurer dans l’index des mots-clés.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Statuts',
        paragraphs: [
          'Les règles fondatrices déposées de la coopérative : son objet, l’adhésion, la gouvernance et la manière de changer les règles elles-mêmes. #statuts',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Code de pratique',
        paragraphs: [
          'Ce que nous attendons les uns des autres en réunion et dans le travail partagé, et ce qui se passe quand quelque chose tourne mal. #conduite',
        ],
      },
      pages: [],
    },
  ],
};

const de: Starter = {
  home: {
    title: 'Startseite',
    paragraphs: [
      'Das ist das Handbuch unserer Genossenschaft: Hier schreiben wir auf, warum es uns gibt, wie wir Arbeit und Kosten teilen und wie wir entscheiden. Alle Mitglieder können es lesen; die Bearbeitungsregel legt fest, wer es ändern darf.',
      'Beginne mit [[Grundsätze]], dann [[Politische Ökonomie]], [[Soziale Beziehungen]] und [[Versammlungen und Beratungen]]. Unsere Regeln stehen in der [[Satzung]] und im [[Verhaltenskodex]]; Wörter mit besonderer Bedeutung stehen unter [[Schlagwörter]].',
      'Diese Seiten sind Vorlagen: Ersetze jeden Absatz durch eigene Worte.',
    ],
  },
  sections: [
    {
      head: {
        title: 'Grundsätze',
        paragraphs: [
          'Wofür wir stehen, auf vier Seiten: [[Mission und Vision]], [[Räume]], [[Gemeinschaffen]] und [[Grundsätze und Protokolle]].',
        ],
      },
      pages: [
        {
          title: 'Mission und Vision',
          paragraphs: [
            'Sag in wenigen Sätzen, wozu die Genossenschaft da ist, wem sie dient und auf welche Welt sie hinarbeitet. #mission',
          ],
        },
        {
          title: 'Räume',
          paragraphs: [
            'Beschreibe die Online-Besprechungsräume, die die Genossenschaft anbietet: wer sie nutzen darf, welche Leistungsstufen es gibt und was faire Nutzung hier bedeutet. #räume',
          ],
        },
        {
          title: 'Gemeinschaffen',
          paragraphs: [
            'Erkläre, wie die Mitglieder gemeinsam für die geteilte Infrastruktur sorgen: sie nutzen, sie bereitstellen und sie verwalten. #commons',
          ],
        },
        {
          title: 'Grundsätze und Protokolle',
          paragraphs: [
            'Liste die Grundsätze der Genossenschaft und die Protokolle auf, die sie in die Praxis umsetzen, jeweils mit einem Link zu ihrer Seite. #protokolle',
          ],
        },
      ],
    },
    {
      head: {
        title: 'Politische Ökonomie',
        paragraphs: [
          'Wie Geld, Stunden und Sachleistungen hereinkommen, wie Budgets festgelegt werden und wie wir einen fairen Lohn zahlen. Verlinke hier das aktuelle Budget und die Beitragsstaffeln. #ökonomie',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Soziale Beziehungen',
        paragraphs: [
          'Wer die Mitglieder sind (Mitgliedsklassen, Kreise, Vorstand), wie man ein- und austritt und wie wir füreinander sorgen. #mitgliedschaft',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Versammlungen und Beratungen',
        paragraphs: [
          'Wie Versammlungen einberufen werden, wie Vorschläge eingebracht und beraten werden und welche Entscheidungsverfahren wir nutzen (Konsent, Abstimmung), mit ihrem Quorum. #entscheidungen',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Schlagwörter',
        paragraphs: [
          'Wörter mit besonderer Bedeutung in diesem Handbuch. Markiere eine Seite mit #schlagwort, damit sie im Schlagwortverzeichnis erscheint.',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Satzung',
        paragraphs: [
          'Die eingetragenen Gründungsregeln der Genossenschaft: ihr Zweck, die Mitgliedschaft, die Leitung und wie die Regeln selbst geändert werden. #satzung',
        ],
      },
      pages: [],
    },
    {
      head: {
        title: 'Verhaltenskodex',
        paragraphs: [
          'Was wir in Besprechungen und bei der gemeinsamen Arbeit voneinander erwarten, und was geschieht, wenn etwas schiefgeht. #verhalten',
        ],
      },
      pages: [],
    },
  ],
};

export const starters: Record<StarterLanguage, Starter> = { en, es, ca, fr, de };

/**
 * Seeds the starter handbook into an empty handbook, once: never when pages exist, never again
 * once seeded (or replaced by an import), even if its pages are later deleted.
 * Returns the number of pages written.
 */
export async function seedStarter(
  repo: HandbookRepo,
  clock: Clock,
  language: StarterLanguage = 'en',
): Promise<number> {
  if ((await repo.getSetting(STARTER_KEY)) !== undefined) return 0;
  if ((await repo.count()) > 0) return 0;
  return repo.transaction(async (tx) => {
    if ((await tx.count()) > 0) return 0;
    const n = await writeStarter(tx, clock, language);
    await tx.bumpGeneration();
    return n;
  });
}

/**
 * Re-seeds the starter handbook in `language` when the handbook still holds only the untouched
 * starter pages in another language (the first steward, set up after the first start, speaks
 * another language than the instance's default). Does nothing when no starter is written in that
 * language, when the starter was edited, replaced by an import or never seeded.
 * Returns the number of pages written (0 when nothing changed).
 */
export async function reseedStarter(
  repo: HandbookRepo,
  clock: Clock,
  language: string,
): Promise<number> {
  if (!isStarterLanguage(language)) return 0;
  return repo.transaction(async (tx) => {
    // With REDIS_URL every node hears setup.completed: one re-seeds, the others then find it done.
    await tx.lockForSettings();
    const raw = await tx.getSetting(STARTER_KEY);
    if (raw === undefined) return 0;
    const seeded = JSON.parse(raw) as { seeded?: boolean; language?: string };
    if (seeded.seeded !== true || seeded.language === language) return 0;
    const pages = await onlyUntouchedStarter(tx);
    if (pages === undefined) return 0;
    // Sections the stewards did not touch either: the order seeding wrote.
    await tx.replaceSections([]);
    for (const p of pages) await tx.deletePage(p.id);
    const n = await writeStarter(tx, clock, language);
    await tx.bumpGeneration();
    return n;
  });
}

/** Whether a starter handbook is written in this language. */
export function isStarterLanguage(language: string): language is StarterLanguage {
  return (handbookStarterLanguages as readonly string[]).includes(language);
}

/** Writes the starter's pages and sections and records it as seeded; inside a transaction. */
async function writeStarter(
  tx: HandbookRepo,
  clock: Clock,
  lang: StarterLanguage,
): Promise<number> {
  const starter = starters[lang];
  const now = clock.now();
  const ids = new Map<string, string>();
  let n = 0;
  const write = async (p: StarterPage) => {
    const story: Item[] = p.paragraphs.map((text, i) => ({
      type: 'paragraph',
      id: `${slugify(p.title).slice(0, 8)}${String(i).padStart(8, '0')}`,
      text,
    }));
    const page: PageRecord = {
      id: newId(),
      slug: slugify(p.title),
      title: p.title,
      story,
      journal: [{ type: 'create', item: { title: p.title, story }, date: now.getTime() }],
      version: 1,
      origin: 'starter',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await tx.insert(page, indexesOf(page.title, story));
    ids.set(p.title, page.id);
    n++;
    return page.id;
  };
  await write(starter.home);
  const sections = [];
  for (const s of starter.sections) {
    const head = await write(s.head);
    const pages = [];
    for (const p of s.pages) pages.push({ pageId: await write(p), parentId: null });
    sections.push({ pageId: head, pages });
  }
  await tx.replaceSections(sections);
  await tx.putSetting(
    STARTER_KEY,
    JSON.stringify({ seeded: true, language: lang }),
    now.toISOString(),
  );
  return n;
}
